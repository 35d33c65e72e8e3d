"""STUB (foundation): ``newsbot demo`` is built by the end-to-end issue."""

from __future__ import annotations

import argparse
import sys


def run_demo(args: argparse.Namespace) -> int:
    print("newsbot demo: not built yet", file=sys.stderr)
    return 1
