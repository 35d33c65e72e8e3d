"""STUB (foundation): ``newsbot preview`` is built by the briefs issue."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping


def run_preview(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    print("newsbot preview: not built yet", file=sys.stderr)
    return 1
