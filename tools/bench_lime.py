"""Benchmark: what LIME costs compared with the forward passes it is made of.

    .venv/bin/python tools/bench_lime.py [--scenes 3] [--repeats 3] [--raw]

On the course model (224x224), for a few test scenes, interleaved in one
process (the machine is shared and noisy: only ratios measured side by side
mean much), medians over scenes x repeats:

- forward:     the bare compiled forward pass (``logit_function``) over the
               same 1000 perturbed images LIME makes (lime's own random
               draws for the same seed), built beforehand, ``sample_batch``
               at a time: the floor;
- lime slic / lime quickshift: ``ct.explain(model, x, "lime",
               num_samples=1000)``: superpixels, sampling, the same forward
               passes, the ridge fits;
- raw lime_image (with ``--raw``): lime's own loop as published, batch 10,
               on the same superpixels and classifier function.

Target (issue 10): LIME <= 1.5x the bare forward passes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TQDM_DISABLE", "1")          # lime_image's own progress bar (--raw)

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import camteach as ct  # noqa: E402
from camteach import superpixels  # noqa: E402
from camteach.methods.lime import DEFAULTS, Lime, logit_function  # noqa: E402

TEST_SEED = ct.TEST_SEED     # scenes no model was trained or tuned on


def perturbed_batches(image, segments, seed: int, num_samples: int, batch: int):
    """The images LIME runs the model on (lime's draws for ``seed``), in batches."""
    n = int(segments.max()) + 1
    data = np.random.RandomState(seed).randint(0, 2, num_samples * n).reshape(num_samples, n)
    data[0, :] = 1
    means = superpixels.superpixel_means(image.transpose(2, 0, 1), segments)    # (3, n)
    fudged = superpixels.paint(segments, means).transpose(1, 2, 0)             # lime's default
    return [np.where(data[i:i + batch].astype(bool)[:, segments][..., None], image,
                     fudged).astype(np.float32) for i in range(0, num_samples, batch)]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--raw", action="store_true", help="also time lime_image as published")
    args = parser.parse_args()
    model = ct.load_course_model()
    images = ct.make_scenes(args.scenes, seed=TEST_SEED).images.astype(np.float32)
    forward, lime, batch = logit_function(model), Lime(), DEFAULTS["sample_batch"]
    runs: dict[str, list[float]] = {}

    def lime_run(image, segmentation):
        return lambda: lime.explain(model, image, num_samples=args.samples,
                                    segmentation=segmentation)

    for image in images:                               # warm up: traces, first calls
        lime_run(image, "slic")()
        lime_run(image, "quickshift")()
    for _ in range(args.repeats):
        for image in images:
            res = lime.explain(model, image, num_samples=args.samples)
            batches = perturbed_batches(image, res.segments[0], DEFAULTS["seed"], args.samples,
                                        batch)
            runs.setdefault("forward", []).append(
                sum(timed(lambda b=b: forward(tf.constant(b)).numpy()) for b in batches))
            del batches
            runs.setdefault("lime slic", []).append(timed(lime_run(image, "slic")))
            runs.setdefault("lime quickshift", []).append(timed(lime_run(image, "quickshift")))
            if args.raw:
                runs.setdefault("raw lime_image, batch 10", []).append(
                    timed(lambda: raw_lime(model, image, res.segments[0], args.samples)))
    floor = statistics.median(runs["forward"])
    print(f"course model, 224x224, {args.samples} samples, sample_batch {batch}, "
          f"{args.scenes} test scenes x {args.repeats} repeats (medians)\n")
    print("| run | seconds per image | ms per model image | x forward |")
    print("|---|---:|---:|---:|")
    for name, values in runs.items():
        seconds = statistics.median(values)
        print(f"| {name} | {seconds:.2f} | {1000 * seconds / args.samples:.2f} | "
              f"{seconds / floor:.2f} |")


def raw_lime(model, image, segments, num_samples: int):
    """lime_image as published (its loop, batch 10), same superpixels and classifier."""
    from lime import lime_image
    forward = logit_function(model)
    explainer = lime_image.LimeImageExplainer(random_state=0)
    return explainer.explain_instance(image, lambda b: forward(tf.constant(b)).numpy(),
                                      top_labels=1, num_samples=num_samples,
                                      segmentation_fn=lambda _: segments, random_seed=0)


if __name__ == "__main__":
    main()
