"""Benchmark: what a CAM costs compared with the forward pass it explains.

    python3 course.py bench            # ResNet50 (random weights), batch 1 and 16

Prints a table of medians over interleaved runs in one process (the machine
is shared and noisy, so only ratios measured side by side mean much):

- forward:   the model alone, compiled with tf.function (the floor);
- cam top-5: ct.cam(model, x, top=5);
- every registered method: ct.explain(model, x, method=name) (top-1,
  default layer), so a new method appears here with no edit; methods that
  run the model once per channel (Score-CAM: 2048 passes per image here)
  are timed in a second table on the course model (256 channels);
- reference: the keras-io Grad-CAM recipe, eager, one image at a time,
             building its gradient model on every call, as published.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import camteach as ct  # noqa: E402


def reference_grad_cam(model, image, layer_name):
    """The keras-io recipe (eager), rewritten here as a baseline: one image."""
    grad_model = keras.Model(model.inputs, [model.get_layer(layer_name).output, model.output])
    with tf.GradientTape() as tape:
        conv, preds = grad_model(image[None])
        score = preds[:, tf.argmax(preds[0])]
    grads = tape.gradient(score, conv)
    weights = tf.reduce_mean(grads, axis=(0, 1, 2))
    heat = tf.squeeze(conv[0] @ weights[..., None])
    return (tf.maximum(heat, 0) / tf.math.reduce_max(heat)).numpy()


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench(model, batch: int, repeats: int) -> dict[str, float]:
    x = np.random.default_rng(0).normal(0, 50, (batch, 224, 224, 3)).astype(np.float32)
    forward = tf.function(lambda t: model(t, training=False), reduce_retracing=True)
    runs = {
        "forward (compiled)": lambda: forward(tf.constant(x)).numpy(),
        "ct.cam top-5": lambda: ct.cam(model, x, top=5),
        **{f"ct.explain {name}": (lambda name=name: ct.explain(model, x, method=name))
           for name in ct.methods.names() if not ct.methods.get(name).forward_passes_per_channel},
        "keras-io Grad-CAM (eager)": lambda: [reference_grad_cam(model, im, "conv5_block3_out")
                                              for im in x],
    }
    for fn in runs.values():  # warm up: trace and compile once
        fn()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            times[name].append(timed(fn))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 16])
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    model = keras.applications.ResNet50(weights=None)
    print(f"ResNet50 (weights=None), 224x224, TF {tf.__version__}, Keras {keras.__version__}, "
          f"{os.cpu_count()} CPUs; medians of {args.repeats} interleaved runs\n")
    print(f"| {'method':30s} | batch | ms / batch | x forward |")
    print(f"|{'-' * 32}|-------|------------|-----------|")
    for batch in args.batches:
        result = bench(model, batch, args.repeats if batch == 1 else max(3, args.repeats // 2))
        base = result["forward (compiled)"]
        for name, seconds in result.items():
            print(f"| {name:30s} | {batch:5d} | {seconds * 1000:10.1f} | {seconds / base:8.2f}x |",
                  flush=True)
    per_channel = [name for name in ct.methods.names()
                   if ct.methods.get(name).forward_passes_per_channel]
    if per_channel:
        course = ct.load_course_model()
        images = ct.make_scenes(4, seed=2).images
        forward = tf.function(lambda t: course(t, training=False), reduce_retracing=True)
        runs = {"forward (compiled)": lambda: forward(tf.constant(images[:1])).numpy(),
                **{f"ct.explain {name}": (lambda name=name: ct.explain(course, images[:1],
                                                                       method=name))
                   for name in per_channel}}
        for fn in runs.values():
            fn()
        times = {name: statistics.median(timed(fn) for _ in range(3)) for name, fn in runs.items()}
        channels = ct.graph.last_feature_maps(course).shape[-1]
        print(f"\nCourse model (224x224, {channels} channels), batch 1, medians of 3: "
              f"one forward pass per channel\n")
        print(f"| {'method':30s} | ms / image | x forward |")
        print(f"|{'-' * 32}|------------|-----------|")
        base = times["forward (compiled)"]
        for name, seconds in times.items():
            print(f"| {name:30s} | {seconds * 1000:10.1f} | {seconds / base:8.1f}x |", flush=True)


if __name__ == "__main__":
    main()
