"""Rank the explanation methods on ground truth over unseen scenes.

    python3 course.py rank                       # 200 test scenes, 100 validation scenes
    python3 course.py rank --scenes 40 --methods grad_cam layer_cam

For the course model and, when it ships, the "vgg" course model (no global
average pooling: CAM is n/a there), every registered method explains each
test scene's true class (``make_scenes(n, seed=TEST_SEED)``); each method's
box threshold is chosen on validation scenes (``seed=VAL_SEED``). Prints one
Markdown table per model (see :func:`camteach.ranking.rank_methods`).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import camteach as ct  # noqa: E402
from camteach.course_model import DATA  # noqa: E402
from camteach.metrics import VAL_SEED  # noqa: E402
from camteach.ranking import TEST_SEED, rank_methods  # noqa: E402


def load(name: str):
    """The shipped course model ``name``, or None (with the reason printed) if it is not there."""
    if name == "vgg" and not (DATA / "vgg_model.keras").exists():
        print(f"\n(no {DATA / 'vgg_model.keras'}: the vgg model is not shipped yet)")
        return None
    try:
        return ct.load_course_model(name)
    except (ValueError, FileNotFoundError) as error:
        print(f"\n(the {name!r} model could not be loaded: {error})")
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=200, help="test scenes (seed TEST_SEED)")
    parser.add_argument("--validation", type=int, default=100,
                        help="validation scenes (seed VAL_SEED) for the box thresholds")
    parser.add_argument("--methods", nargs="+", default=None, help="default: all registered")
    parser.add_argument("--models", nargs="+", default=["course", "vgg"])
    args = parser.parse_args()
    test = ct.make_scenes(args.scenes, seed=TEST_SEED)
    validation = ct.make_scenes(args.validation, seed=VAL_SEED)
    print(f"{args.scenes} test scenes (seed {TEST_SEED}), box thresholds chosen on "
          f"{args.validation} validation scenes (seed {VAL_SEED}); true class explained; "
          f"raw maps upsampled bilinearly to 224x224; ranked by the mean of pointing, "
          f"box IoU and energy; {os.cpu_count()} CPUs")
    for name in args.models:
        model = load(name)
        if model is None:
            continue
        layer = ct.graph.last_feature_maps(model)
        start = time.perf_counter()
        ranking = rank_methods(model, test, args.methods, validation=validation)
        print(f"\n{name!r} model, layer {layer.name!r} {tuple(layer.shape[1:])} "
              f"({time.perf_counter() - start:.0f} s):\n")
        print(ranking.to_markdown(), flush=True)


if __name__ == "__main__":
    main()
