"""Benchmark: the lessons as a student sees them, in headless Chromium (JupyterLab).

    python3 tools/bench_browser.py                       # every lesson, 5 moves per control
    python3 tools/bench_browser.py --moves 9 --lessons 02 05
    python3 tools/bench_browser.py --shots /tmp/browser-shots

The harness of ``tests/test_browser.py`` (``tests/browser_lab.py``): one
JupyterLab server from ``.venv`` and Debian's Chromium. For each lesson:
Edit > Clear Outputs, Kernel > Restart Kernel and Run All Cells, timed from
the confirmation to the last cell; then every control of every explorer is
moved ``--moves`` times (sliders by one step with the arrow keys, drop-downs
and toggles to their next option) and timed in the browser from the input
event to the last new picture in the page (``performance.now()``: kernel
compute + transfer + decode). Prints a markdown table per lesson and control
(median and max ms, target <= 250 ms median) and the Run All times.
``--shots DIR`` also saves each lesson after Run All, one viewport at a time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import browser_lab as bl  # noqa: E402
from camteach.lessons import LESSONS  # noqa: E402

TARGET_MS = 250.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=5, help="moves per control (default 5)")
    parser.add_argument("--lessons", nargs="*", default=None,
                        help="lesson numbers (default: all of camteach/lessons.py)")
    parser.add_argument("--shots", type=Path, default=None,
                        help="save screenshots of each lesson after Run All here")
    args = parser.parse_args(argv)
    reason = bl.missing()
    if reason is not None:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    rows = [r for r in LESSONS if args.lessons is None or r.number in args.lessons]
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    run_all, table, problems = {}, [], {}
    start = time.monotonic()
    with bl.JupyterLab() as lab, bl.browser() as context:
        for row in rows:
            page = bl.LessonPage.open(context, lab, row.notebook)
            try:
                try:
                    run_all[row.number] = page.restart_and_run_all(log=lab.log)
                except TimeoutError as err:
                    print(f"lesson {row.number}: {str(err).splitlines()[0]}", file=sys.stderr)
                    run_all[row.number], problems[row.number] = float("nan"), []
                    continue
                problems[row.number] = page.problems()
                if args.shots:
                    page.screenshots(args.shots / Path(row.notebook).stem)
                try:
                    for move in bl.move_every_control(page, times=args.moves):
                        table.append((row.number, move))
                except Exception as err:  # noqa: BLE001 - report it, measure the other lessons
                    print(f"lesson {row.number}: moving the controls failed: "
                          f"{str(err).splitlines()[0]}", file=sys.stderr)
            finally:
                page.close()
                lab.shutdown_kernels()
            print(f"lesson {row.number}: Run All {run_all[row.number]:.1f} s", file=sys.stderr,
                  flush=True)
    print("| lesson | cell | control | kind | moves | picture changed | median ms | max ms |")
    print("|---|---|---|---|---|---|---|---|")
    medians = []
    for number, move in table:
        if not move.usable or not move.ms:
            print(f"| {number} | {move.cell} | {move.control} | {move.kind} | 0 | disabled | - | - |")
            continue
        median = statistics.median(move.ms)
        medians.append(median)
        print(f"| {number} | {move.cell} | {move.control} | {move.kind} | {len(move.ms)} | "
              f"{sum(move.changed)}/{len(move.changed)} | {median:.0f} | {max(move.ms):.0f} |")
    print()
    print("| lesson | Restart & Run All (s) | problems seen |")
    print("|---|---|---|")
    for number, seconds in run_all.items():
        print(f"| {number} | {seconds:.1f} | {len(problems[number])} |")
    over = [m for m in medians if m > TARGET_MS]
    print(f"\n{len(medians)} controls, {len(over)} over the {TARGET_MS:.0f} ms median target; "
          f"whole run {time.monotonic() - start:.0f} s (includes starting JupyterLab and Chromium).")
    for number, found in problems.items():
        for cell, kind, text in found:
            print(f"lesson {number} cell {cell}: {kind}: {text[:120]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
