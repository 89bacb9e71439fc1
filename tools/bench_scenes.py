"""Benchmark the scene generator (camteach.scenes) on one core.

Prints scenes per second (median of ``--repeats`` runs of ``--n`` scenes)
for one object, two objects, the shortcut cue, and the mask-free training
batches. Usage::

    python tools/bench_scenes.py [--size 224] [--n 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from camteach.scenes import make_scenes, scene_batches  # noqa: E402

CASES = {
    "objects=1": lambda n, size, seed: make_scenes(n, seed, size),
    "objects=2": lambda n, size, seed: make_scenes(n, seed, size, objects=2),
    "shortcut=corner": lambda n, size, seed: make_scenes(n, seed, size, shortcut="corner"),
    "scene_batches (no masks)": lambda n, size, seed: next(scene_batches(n, seed, size)),
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    make_scenes(4, 0, args.size)  # warm-up (caches, imports)
    print(f"scenes/s at {args.size}x{args.size}, median of {args.repeats} runs "
          f"of {args.n} scenes")
    print(f"{'case':<26}{'scenes/s':>10}{'ms/scene':>10}")
    for name, run in CASES.items():
        rates = []
        for r in range(args.repeats):
            t = time.perf_counter()
            run(args.n, args.size, 100 + r)
            rates.append(args.n / (time.perf_counter() - t))
        rate = statistics.median(rates)
        print(f"{name:<26}{rate:>10.0f}{1000 / rate:>10.2f}")


if __name__ == "__main__":
    main()
