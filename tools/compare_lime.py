"""Grad-CAM versus LIME on unseen scenes: cost, agreement, truth and stability, as one table.

    python3 course.py lime [--scenes 100] [--stability-scenes 100] [--samples 1000]
    python3 course.py lime --stability-only      # only the stability rows (the slow part)

The course model explains each test scene's true class (scenes of
``TEST_SEED``, which no model was trained or tuned on) with Grad-CAM (its
7x7 map at ``conv5_out``, upsampled bilinearly) and with LIME (SLIC, 50
superpixels, ``num_samples`` perturbed images, each superpixel's mean colour
when off, seed 0), and prints a markdown table:

- cost: model calls and seconds per image, measured in this run;
- agreement: Spearman's rank correlation of Grad-CAM's superpixel means with
  LIME's weights, and the share of LIME's top-5 superpixels among Grad-CAM's;
- truth: pointing game (15 px, and strict), IoU of the CAM box (threshold
  0.2 of the maximum, the same for both) with the true box, share of the
  positive mass on the object (energy pointing);
- stability (LIME only; Grad-CAM is deterministic): top-5 overlap over 5
  seeds (mean over pairs), and of 100/300/1000 samples with 3000, on the
  first ``--stability-scenes`` scenes (7,000 extra model calls per scene:
  seed 0 runs once at 3000 samples, its smaller levels are exact refits,
  seeds 1-4 run at 1000; about 25 s per scene at 3.6 ms per forward pass).

Means over scenes, with the 95% interval of the mean (normal approximation).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import camteach as ct  # noqa: E402
from camteach.methods import lime as lime_method  # noqa: E402

TEST_SEED = ct.TEST_SEED
SAMPLE_LEVELS = (100, 300, 1000, 3000)


def mean_ci(values) -> str:
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return "n/a"
    half = 1.96 * values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return f"{values.mean():.2f} ± {half:.2f}"


def table(c: lime_method.Comparison) -> str:
    n, k = len(c.spearman), c.k
    rows = [("cost", "model calls per image", c.calls["grad_cam"], c.calls["lime"]),
            ("cost", "seconds per image", f"{c.seconds['grad_cam']:.3f}",
             f"{c.seconds['lime']:.2f}"),
            ("agreement", "rank correlation over superpixels", "(between the two)",
             mean_ci(c.spearman)),
            ("agreement", f"top-{k} superpixels shared", "(between the two)",
             mean_ci(c.overlap))]
    names = {"pointing": "pointing game (15 px)", "strict": "pointing game (strict)",
             "iou": "box IoU (CAM box at 0.2)", "energy": "positive mass on the object"}
    for key, label in names.items():
        rows.append(("truth", label, mean_ci(c.truth["grad_cam"][key]),
                     mean_ci(c.truth["lime"][key])))
    lines = [f"course model, {n} unseen scenes (seed {TEST_SEED}), true class, "
             f"LIME {c.lime.num_samples} samples, SLIC 50 superpixels\n",
             "| | measure | Grad-CAM | LIME |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {g} | {m} |" for a, b, g, m in rows]
    return "\n".join(lines)


def stability_rows(stable: dict, n_stable: int, k: int = 5) -> str:
    """The stability rows (LIME only), to append to the table."""
    rows = [f"| stability | top-{k} shared across 5 seeds ({n_stable} scenes) | "
            f"1.00 (deterministic) | {mean_ci(stable['seeds'])} |"]
    rows += [f"| stability | top-{k} shared, {level} vs {max(SAMPLE_LEVELS)} samples "
             f"({n_stable} scenes) | 1.00 (deterministic) | {mean_ci(values)} |"
             for level, values in stable["samples"].items()]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=100)
    parser.add_argument("--stability-scenes", type=int, default=100)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--stability-only", action="store_true",
                        help="skip the cost/agreement/truth table, print the stability rows")
    args = parser.parse_args()
    model = ct.load_course_model()
    scenes = ct.make_scenes(max(args.scenes, args.stability_scenes), seed=TEST_SEED)
    if not args.stability_only:
        comparison = lime_method.compare(model, scenes[:args.scenes], num_samples=args.samples,
                                         progress=True)
        print(table(comparison), flush=True)          # the stability rows follow (slow)
    if args.stability_scenes > 0:
        subset = scenes[:args.stability_scenes]
        stable = lime_method.stability(model, subset.images.astype(np.float32), subset.labels,
                                       samples=SAMPLE_LEVELS, num_samples=args.samples,
                                       progress=True)
        print(stability_rows(stable, len(subset)))


if __name__ == "__main__":
    main()
