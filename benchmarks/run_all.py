"""Run every benchmark and print one table of the figures the project measures.

    python benchmarks/run_all.py [--quick] [--soak]

Each benchmark is its own script (run it alone for the details); this one runs them in turn,
reads the figures they print as JSON, and prints a Markdown table: figure, measured value,
target, the command that reproduces it, and today's date.  ``--quick`` shrinks the delivery
runs to a tenth and skips the ~100 s limits-on broadcast (figures then only show the shape).
``--soak`` adds the 30-minute memory soak (``benchmarks/soak.py``); it is left out otherwise.
The summary-quality row needs ``pip install -e '.[bench]'`` and ../shared/data; without them it
says why it was skipped.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Row:
    figure: str
    measured: str
    target: str
    command: str


def _run(args: list[str], timeout: float) -> tuple[str, str | None]:
    """stdout of a benchmark script, or an error in plain words."""
    try:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "", f"did not finish in {timeout:.0f} s"
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return done.stdout, f"exit {done.returncode}: {tail[0][:120]}"
    return done.stdout, None


def poll_cycle() -> list[Row]:
    cmd = "python benchmarks/poll_cycle.py"
    out, error = _run(["benchmarks/poll_cycle.py", "--json"], 900)
    if error:
        return [Row("poll cycle (200 sources × 50 items)", f"failed: {error}", "", cmd)]
    rows = {r["scenario"]: r for r in json.loads(out)}

    def fig(name: str, key: str, target: str) -> Row:
        r = rows[key]
        return Row(
            f"poll cycle, {name}", f"{r['wall_s']:.2f} s wall, {r['cpu_s']:.2f} s CPU", target, cmd
        )

    found = [
        fig("all 304", _key(rows, "304"), "< 1 s wall"),
        fig("unchanged 200", _key(rows, "unchanged"), "< 5 s CPU"),
    ]
    for n in (1, 5, 25):
        found.append(fig(f"{n} new per source", _key(rows, f"{n} new"), "linear in new items"))
    return found


def _key(rows: dict[str, Any], needle: str) -> str:
    return next(k for k in rows if needle in k)


def summary_quality() -> list[Row]:
    cmd = "python benchmarks/summary_quality.py"
    out, error = _run(["benchmarks/summary_quality.py", "--json"], 1800)
    if error:
        return [Row("summary quality and speed", f"skipped: {error}", "", cmd)]
    figures = json.loads(out)
    rows = []
    for label, target in (
        ("lines 1-200 (dev)", "≥ +10 % over the best baseline"),
        ("lines 201-300 (held out)", "≥ the best baseline"),
    ):
        part = figures[label]
        ours = part["scores"]["newsbot"]
        gains = part["vs_best_baseline"]
        measured = (
            f"R-1/R-2/R-L {ours[0]:.2f}/{ours[1]:.2f}/{ours[2]:.2f}; "
            f"R-1 {gains['ROUGE-1']['gain_%']:+.1f} % vs {gains['ROUGE-1']['best_baseline']}, "
            f"R-L {gains['ROUGE-L']['gain_%']:+.1f} % vs {gains['ROUGE-L']['best_baseline']}"
        )
        rows.append(Row(f"summary quality, {label}", measured, target, cmd))
    coherence = figures["coherence"]["newsbot"]
    rows.append(
        Row(
            f"summary coherence, all {figures['coherence']['articles']} texts",
            f"dangling opening {coherence['dangling']:.1f} %, unbalanced quotes "
            f"{coherence['unbalanced_quotes']:.1f} %, over 3 sentences "
            f"{coherence['over_three_sentences']:.1f} %",
            "dangling ≤ 2 %, quotes 0, over 3 sentences 0",
            cmd,
        )
    )
    speed = figures["speed"]["articles_per_second"]
    shown = (
        ", ".join(f"{k} {v:.0f}/s" for k, v in speed.items())
        if isinstance(speed, dict)
        else f"{speed}"
    )
    rows.append(Row("summariser speed, one core", shown, "≥ 100 articles/s", cmd))
    return rows


def stories() -> list[Row]:
    cmd = "python benchmarks/stories.py"
    out, error = _run(["benchmarks/stories.py", "--json"], 900)
    if error:
        return [Row("story merging", f"failed: {error}", "", cmd)]
    figures = json.loads(out)
    threshold = figures["threshold"]

    def at(table: list[dict[str, Any]]) -> dict[str, Any]:
        return next(r for r in table if r["threshold"] == threshold)

    rows = []
    if "russian" in figures:
        for name, label, target in (
            ("ru_train_pool.tsv", "held out", "P ≥ 0.95, R ≥ 0.80"),
            ("ru_honey_pool.tsv", "tuning", "P ≥ 0.95 (sets the threshold)"),
        ):
            part = figures["russian"][name]
            base = part["baseline_at_recall_0.8"]
            rows.append(Row(
                f"story merging, {name} ({label}, {part['pairs']} pairs)",
                f"P {part['precision']:.3f}, R {part['recall']:.3f} at {threshold}; word-overlap "
                f"baseline P {base['precision']:.3f} at R ≥ 0.8",
                target, cmd,
            ))  # fmt: skip
    else:
        rows.append(Row("story merging, Russian pairs", "skipped: " + figures["russian_skipped"],
                        "", cmd))  # fmt: skip
    regimes = [("ukrainian", "alone")]
    if "ukrainian_window" in figures:
        regimes.append(("ukrainian_window", "among 1 000 other stories"))
    for (regime, where), (name, label) in itertools.product(
        regimes, (("uk_test.jsonl", "held out"), ("uk_dev.jsonl", "development"))
    ):
        part = figures[regime][name]
        r = at(part["table"])
        rows.append(Row(
            f"story merging, own Ukrainian set {name} ({label}, {part['items']} items, {where})",
            f"P {r['precision']:.3f}, R {r['recall']:.3f}; {r['split']} of {part['stories']} "
            f"stories split, {r['merged']} merged",
            "P ≥ 0.95", cmd,
        ))  # fmt: skip
    speed = figures.get("speed")
    if speed:
        cpu, wall = speed["assign_cpu_ms"], speed["assign_ms"]
        rows.append(Row(
            f"story assignment among {speed['stories']} stories",
            f"CPU median {cpu['median']:.2f} ms, p99 {cpu['p99']:.2f} ms (wall {wall['median']:.2f}"
            f" / {wall['p99']:.2f} ms); index {speed['index_mb']} MB",
            "≤ 5 ms", cmd,
        ))  # fmt: skip
    return rows


def fanout(quick: bool) -> list[Row]:
    subscribers = 10_000 if quick else 100_000
    cmd = "python benchmarks/fanout.py"
    out, error = _run(["benchmarks/fanout.py", "--json", "--subscribers", str(subscribers)], 600)
    if error:
        return [Row("story fan-out", f"failed: {error}", "", cmd)]
    figures = json.loads(out)
    rows = []
    for name, r in figures["scenarios"].items():
        rows.append(Row(
            f"story fan-out to {figures['subscribers']} subscribers, {name}",
            f"median {r['median_s']:.2f} s wall, {r['median_cpu_s']:.2f} s CPU, {r['rows']} rows, "
            f"Python peak {r['python_peak_kb']:.0f} KB",
            "≤ 1 s, memory independent of subscribers", cmd,
        ))  # fmt: skip
    return rows


def choices(quick: bool) -> list[Row]:
    subscribers = 10_000 if quick else 100_000
    cmd = "python benchmarks/choices.py"
    args = ["benchmarks/choices.py", "--json", "--subscribers", str(subscribers), "--repeat", "3"]
    out, error = _run(args, 900)
    if error:
        return [Row("fan-out with subscribers' choices", f"failed: {error}", "", cmd)]
    figures = json.loads(out)
    share = f"{figures['words_share']:.0%} holding words"
    rows = []
    for name, r in figures["fan_out"]["scenarios"].items():
        rows.append(Row(
            f"story fan-out to {figures['subscribers']} subscribers, {share}, {name}",
            f"median {r['median_s']:.2f} s wall, {r['median_cpu_s']:.2f} s CPU, {r['rows']} rows",
            "≤ 2 s", cmd,
        ))  # fmt: skip
    build = figures["digest"]["scenarios"]["build"]
    rows.append(Row(
        f"digest for {figures['subscribers']} digest subscribers, {share}",
        f"median {build['median_s']:.2f} s wall, {build['median_cpu_s']:.2f} s CPU,"
        f" {build['rows']} rows, variants {figures['digest']['variants']}",
        "≤ 1 s, one row per subscriber", cmd,
    ))  # fmt: skip
    return rows


def delivery(quick: bool) -> list[Row]:
    base = ["benchmarks/delivery.py", *(["--scale", "0.1"] if quick else [])]
    runs = ["throughput", "rss", "latency", "index"]
    if not quick:
        runs.insert(1, "limits")
    results: dict[str, dict[str, Any]] = {}
    rows: list[Row] = []
    for name in runs:
        out, error = _run([*base, "--only", name], 1800)
        cmd = f"python benchmarks/delivery.py --only {name}"
        if error:
            rows.append(Row(f"delivery, {name}", f"failed: {error}", "", cmd))
            continue
        for line in out.splitlines():
            if line.startswith("{"):
                result = json.loads(line)
                results[result["scenario"]] = result
    formatters: list[tuple[str, str, str, Callable[[dict[str, Any]], str]]] = [
        ("throughput", "fan-out, limits off", "≥ 1 000 msg/s",
         lambda r: f"{r['msg_per_s']:.0f} msg/s to {r['subscribers']}, lost {r['lost']}, "
                   f"dup {r['duplicates']}"),
        ("limits on", "broadcast to 3 000, 30/s + 1/s per chat", "within 5 % of 100 s, 0 lost",
         lambda r: f"{r['seconds_press_to_last']:.1f} s, lost {r['lost']}, dup "
                   f"{r['duplicates']}, 429 after 1st s {r['429_after_first_second']}"),
        ("rss", "peak RSS, 100 000 subscribers", "≤ 150 MB",
         lambda r: f"{r['peak_rss_mb']:.1f} MB ({r['subscribers']} subscribers)"),
        ("free limits", "/latest + /losses latency, 200 users, free 30/s", "p99 ≤ 1 s",
         lambda r: f"p50 {r['p50_s']:.2f} s, p99 {r['p99_s']:.2f} s"),
        ("paid", "/latest + /losses latency, 200 users, paid 1000/s", "p99 ≤ 1 s",
         lambda r: f"p50 {r['p50_s']:.2f} s, p99 {r['p99_s']:.2f} s"),
        ("ledger index, fresh", "queue queries, 100 000 pending rows never tried",
         "O(log n): ≤ 1 ms", _index_figures),
        ("ledger index, outage", "queue queries, 100 000 pending rows all in backoff",
         "O(log n): ≤ 1 ms", _index_figures),
    ]  # fmt: skip
    for needle, figure, target, show in formatters:
        match = next((r for k, r in results.items() if needle in k), None)
        if match is not None:
            only = "latency" if "latency" in figure else needle.split()[0]
            only = "index" if needle.startswith("ledger") else only
            cmd = f"python benchmarks/delivery.py --only {only}"
            rows.append(Row(f"delivery, {figure}", show(match), target, cmd))
    return rows


def fetch_memory() -> list[Row]:
    cmd = "python benchmarks/fetch_memory.py"
    out, error = _run(["benchmarks/fetch_memory.py", "--json"], 300)
    if error:
        return [Row("fetch memory under the 5 MB cap", f"failed: {error}", "", cmd)]
    rows = {r["scenario"]: r for r in json.loads(out)["rows"]}
    bomb = rows[_key(rows, "gzip bomb 67")]
    honest = rows[_key(rows, "honest gzip")]
    plain = rows[_key(rows, "plain body")]
    before = rows[_key(rows, "httpx decoding")]
    measured = (
        f"gzip bomb (67 MB in 65 KB) {bomb['peak_mb']:.2f} MB (httpx decoding: "
        f"{before['peak_mb']:.0f} MB); 5 MB body gzip {honest['peak_mb']:.2f} MB, "
        f"plain {plain['peak_mb']:.2f} MB"
    )
    return [Row("fetch, peak memory of one fetch, 5 MB cap", measured, "≤ cap + 1 MB", cmd)]


def _index_figures(r: dict[str, Any]) -> str:
    return (
        f"due rows {r['due_ms_before']:.2f} → {r['due_ms_after']:.2f} ms, next retry "
        f"{r['next_retry_ms_before']:.2f} → {r['next_retry_ms_after']:.2f} ms (before → after)"
    )


def soak() -> list[Row]:
    cmd = "python benchmarks/soak.py --story-window-minutes 5"
    figure = "memory, soak 30 min: an item every 3 s to 50 subscribers, story window 5 min"
    out, error = _run(["benchmarks/soak.py", "--story-window-minutes", "5", "--json"], 45 * 60)
    if error:
        return [Row(figure, f"failed: {error}", "", cmd)]
    r = json.loads(out)
    measured = (
        f"RSS {r['rss_warmup_end_mib']:.1f} MiB at minute 10, {r['rss_end_mib']:.1f} at the end: "
        f"{r['growth_after_warmup_mib']:+.1f} MiB over the last 20 min "
        f"({r['slope_mib_per_min']:+.2f} MiB/min); {r['delivered']} of {r['expected']} sends "
        f"({r['stories']} stories × {r['subscribers']}), missing {r['missing']}, "
        f"duplicated {r['duplicated']}"
    )
    target = "< 5 MiB growth over the last 20 min; every send exactly once"
    return [Row(figure, measured, target, cmd)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller delivery runs")
    parser.add_argument("--soak", action="store_true", help="add the 30-minute memory soak")
    args = parser.parse_args()
    rows = [
        *poll_cycle(),
        *fetch_memory(),
        *summary_quality(),
        *stories(),
        *fanout(args.quick),
        *choices(args.quick),
        *delivery(args.quick),
    ]
    if args.soak:
        rows += soak()
    today = date.today().isoformat()
    print("| figure | measured | target | command | date |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row.figure} | {row.measured} | {row.target} | `{row.command}` | {today} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
