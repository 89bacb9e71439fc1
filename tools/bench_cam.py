"""Benchmark: what a CAM costs compared with the forward pass it explains.

    python3 course.py bench            # ResNet50 (random weights), batch 1 and 16

Prints a table of medians over interleaved runs in one process (the machine
is shared and noisy, so only ratios measured side by side mean much):

- forward:   the model alone, compiled with tf.function (the floor);
- cam top-5: ct.cam(model, x, top=5);
- every registered method: ct.explain(model, x, method=name) (top-1,
  default layer), so a new method appears here with no edit; methods that
  run the model once per channel (Score-CAM: 2048 passes per image here)
  are timed in a second table on the course model (256 channels), with
  their cost in forward passes; methods that perturb the input (LIME, 1000
  forward passes per image) are timed once, at batch 1 only (their cost
  against the bare forward passes: ``tools/bench_lime.py``);
- tf-keras-vis 0.8.7 (a test dependency; rows left out if it is missing):
  Gradcam, GradcamPlusPlus, Layercam (HiRes-CAM: Layercam without its two
  ReLUs) and Scorecam (all channels, max_N=-1) on the same model, layer and
  classes, raw maps (expand_cam=False, normalize_cam=False), the visualiser
  built once outside the timing (with ReplaceToLinear, so it explains the
  logit as camteach does), each row right under camteach's;
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


def tf_keras_vis_runs(model, x: np.ndarray, layer: str, classes) -> dict[str, object]:
    """``method name -> (label, fn)``: tf-keras-vis on the same model, layer and classes."""
    try:
        from tf_keras_vis.gradcam import Gradcam
        from tf_keras_vis.gradcam_plus_plus import GradcamPlusPlus
        from tf_keras_vis.layercam import Layercam
        from tf_keras_vis.scorecam import Scorecam
        from tf_keras_vis.utils.model_modifiers import ReplaceToLinear
        from tf_keras_vis.utils.scores import CategoricalScore
    except ImportError:
        return {}
    score = CategoricalScore([int(c) for c in classes])
    common = dict(penultimate_layer=layer, seek_penultimate_conv_layer=False, expand_cam=False,
                  normalize_cam=False)
    linear = ReplaceToLinear()
    vis = {"grad_cam": ("Gradcam", Gradcam(model, model_modifier=linear), {}),
           "grad_cam_plus_plus": ("GradcamPlusPlus", GradcamPlusPlus(model, linear), {}),
           "layer_cam": ("Layercam", Layercam(model, model_modifier=linear), {}),
           "score_cam": ("Scorecam (max_N=-1)", Scorecam(model), {"max_N": -1})}
    vis["hires_cam"] = ("Layercam, no ReLUs", vis["layer_cam"][1],
                        {"gradient_modifier": None, "activation_modifier": None})
    return {name: (f"tf-keras-vis {label}",
                   lambda v=v, extra=extra: v(score, x, **common, **extra))
            for name, (label, v, extra) in vis.items()}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench(model, batch: int, repeats: int) -> dict[str, float]:
    x = np.random.default_rng(0).normal(0, 50, (batch, 224, 224, 3)).astype(np.float32)
    forward = tf.function(lambda t: model(t, training=False), reduce_retracing=True)
    classes = ct.grad_cam(model, x).classes[:, 0]
    theirs = tf_keras_vis_runs(model, x, "conv5_block3_out", classes)
    runs = {
        "forward (compiled)": lambda: forward(tf.constant(x)).numpy(),
        "ct.cam top-5": lambda: ct.cam(model, x, top=5),
    }
    for name in ct.methods.names():
        method = ct.methods.get(name)
        if method.forward_passes_per_channel or method.maps_at_input:
            continue      # per channel: their own table; perturbation: perturbation_rows
        runs[f"ct.explain {name}"] = lambda name=name: ct.explain(model, x, method=name)
        if name in theirs:
            runs[theirs[name][0]] = theirs[name][1]
    runs["keras-io Grad-CAM (eager)"] = lambda: [reference_grad_cam(model, im, "conv5_block3_out")
                                                 for im in x]
    for fn in runs.values():  # warm up: trace and compile once
        fn()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            times[name].append(timed(fn))
    return {name: statistics.median(values) for name, values in times.items()}


def perturbation_rows(model) -> dict[str, float]:
    """Methods that perturb the input (LIME: 1000 forward passes per image), batch 1, one
    timed run each after a short traced warm-up (a median of 7 would take minutes)."""
    x = np.random.default_rng(0).normal(0, 50, (1, 224, 224, 3)).astype(np.float32)
    rows = {}
    for name in ct.methods.names():
        if ct.methods.get(name).maps_at_input:
            ct.explain(model, x, method=name, num_samples=10)
            rows[f"ct.explain {name} (1 run)"] = timed(lambda: ct.explain(model, x, method=name))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--score-cam-repeats", type=int, default=3)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    model = keras.applications.ResNet50(weights=None)
    print(f"ResNet50 (weights=None), 224x224, TF {tf.__version__}, Keras {keras.__version__}, "
          f"{os.cpu_count()} CPUs; medians of {args.repeats} interleaved runs\n")
    print(f"| {'method':36s} | batch | ms / batch | x forward |")
    print(f"|{'-' * 38}|-------|------------|-----------|")
    for batch in args.batches:
        result = bench(model, batch, args.repeats if batch == 1 else max(3, args.repeats // 2))
        base = result["forward (compiled)"]
        if batch == 1:
            result.update(perturbation_rows(model))
        for name, seconds in result.items():
            print(f"| {name:36s} | {batch:5d} | {seconds * 1000:10.1f} | {seconds / base:8.2f}x |",
                  flush=True)
    per_channel = [name for name in ct.methods.names()
                   if ct.methods.get(name).forward_passes_per_channel]
    if per_channel:
        bench_per_channel(per_channel, args.score_cam_repeats)


def bench_per_channel(names: list[str], repeats: int) -> None:
    """Score-CAM and kin on the course model, batch 1: seconds and forward passes."""
    course = ct.load_course_model()
    images = ct.make_scenes(4, seed=2).images[:1]
    layer = ct.graph.last_feature_maps(course)
    channels = layer.shape[-1]
    forward = tf.function(lambda t: course(t, training=False), reduce_retracing=True)
    classes = ct.grad_cam(course, images).classes[:, 0]
    theirs = tf_keras_vis_runs(course, images, layer.name, classes)
    runs = {"forward (compiled)": (1, lambda: forward(tf.constant(images)).numpy())}
    for name in names:
        # one pass per channel plus the all-zero baseline's
        runs[f"ct.explain {name}"] = (channels + 1,
                                      lambda name=name: ct.explain(course, images, method=name))
        if name in theirs:
            runs[theirs[name][0]] = (channels, theirs[name][1])
    for _, fn in runs.values():
        fn()
    times = {name: statistics.median(timed(fn) for _ in range(repeats))
             for name, (_, fn) in runs.items()}
    print(f"\nCourse model (224x224, {channels} channels at {layer.name!r}), batch 1, "
          f"medians of {repeats}: one forward pass per channel\n")
    print(f"| {'method':36s} | forward passes | s / image | x forward |")
    print(f"|{'-' * 38}|----------------|-----------|-----------|")
    base = times["forward (compiled)"]
    for name, seconds in times.items():
        print(f"| {name:36s} | {runs[name][0]:14d} | {seconds:9.3f} | {seconds / base:8.1f}x |",
              flush=True)


if __name__ == "__main__":
    main()
