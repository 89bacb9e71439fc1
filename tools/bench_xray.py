"""Benchmark the chest X-ray phantoms: writing, loading and in-memory generation.

    .venv/bin/python tools/bench_xray.py [--n 60]

Prints phantoms per second for ``ct.xray.make_phantoms`` (DICOM + train.csv,
the issue's target: >= 20/s), ``ct.xray.load`` of what was written, and
``phantom_data`` (in memory, half size: what training uses), side by side in
one run on this machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import camteach as ct
from camteach.xray import generate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60, help="phantoms per measurement")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error(f"--n: expected a number >= 1, got {args.n}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        ct.xray.make_phantoms(args.n, tmp, seed=0)
        rows.append(("make_phantoms (DICOM + CSV)", time.perf_counter() - start))
        start = time.perf_counter()
        ct.xray.load(tmp)
        rows.append(("load (224 px)", time.perf_counter() - start))
    start = time.perf_counter()
    generate.phantom_data(args.n, seed=0)
    rows.append(("phantom_data (in memory)", time.perf_counter() - start))
    print(f"{'step':<30}{'seconds':>10}{'phantoms/s':>13}")
    for name, seconds in rows:
        print(f"{name:<30}{seconds:>10.2f}{args.n / seconds:>13.1f}")


if __name__ == "__main__":
    main()
