"""Benchmark: how long the explorers take from a control change to the new picture.

    python3 tools/bench_widgets.py                 # the trained course model if it loads
    python3 tools/bench_widgets.py --repeats 40 --model random

Builds each explorer of ``camteach.widgets`` once, then sets every control's
``.value`` ``--repeats`` times (sliders are swept across their range as a
drag would; drop-downs and toggles cycle through their options). Updates are
synchronous, so the time of the assignment is the time from the change to
the re-rendered picture. Prints a table (widget, control, median ms, max ms),
the build times, and which model was used. The target is <= 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import camteach as ct  # noqa: E402
from camteach import widgets  # noqa: E402

TARGET_MS = 100.0


def course_model(which: str):
    """The trained course model (``auto``/``course``) or fresh random weights; and a label."""
    if which in ("auto", "course"):
        try:
            return ct.load_course_model(), "trained course model (ct.load_course_model())"
        except Exception as err:  # noqa: BLE001 - any failure means "not there yet"
            if which == "course":
                raise
            reason = f"{type(err).__name__}: {err}"
            return (ct.build_course_model(seed=0),
                    f"random weights (ct.build_course_model(seed=0)); "
                    f"load_course_model failed: {reason[:100]}")
    return ct.build_course_model(seed=0), "random weights (ct.build_course_model(seed=0))"


def values_for(control, repeats: int) -> list:
    """``repeats`` new values for a control, each different from the one before."""
    if hasattr(control, "options"):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        start = options.index(control.value)
        return [options[(start + 1 + i) % len(options)] for i in range(repeats)]
    sweep = np.linspace(control.min, control.max, repeats + 1)[1:]
    if isinstance(control.value, int):
        sweep = np.unique(np.round(sweep).astype(int))
    values = [type(control.value)(v) for v in sweep]
    return values if values[0] != control.value else values[1:]


def time_control(control, values: list) -> list[float]:
    times = []
    for value in values:
        start = time.perf_counter()
        control.value = value
        times.append(1000 * (time.perf_counter() - start))
    return times


def build_all(model) -> dict:
    scene = ct.draw_scene("face", center=(0.45, 0.5), seed=0)
    image, box = scene.images[0], scene.boxes[0]
    makers = {
        "pooling_explorer": lambda: widgets.pooling_explorer(model, "face", seed=0),
        "weights_explorer": lambda: widgets.weights_explorer(model, image),
        "cam_builder": lambda: widgets.cam_builder(model, image),
        "cam_viewer": lambda: widgets.cam_viewer(model, image, truth_box=box,
                                                 mask=scene.masks[0]),
        # lesson 08's and 09's explorers, as the lessons build them
        "layer_explorer": lambda: widgets.layer_explorer(
            ct.load_course_model("vgg"), image,
            ["block1_conv1", "block1_conv2", "block2_conv2", "block3_conv2"], mask=scene.masks[0]),
        "lime_explorer": lambda: widgets.lime_explorer(model, ct.make_scenes(2, seed=ct.TEST_SEED),
                                                       levels=(30, 100, 300)),
    }
    built = {}
    for name, make in makers.items():
        start = time.perf_counter()
        built[name] = (make(), time.perf_counter() - start)
    return built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=20, help="value changes per control")
    parser.add_argument("--model", choices=("auto", "course", "random"), default="auto")
    args = parser.parse_args()
    model, label = course_model(args.model)
    print(f"model: {label}")
    ct.features(model, np.zeros((1, 224, 224, 3), np.float32))      # trace once, off the clock
    built = build_all(model)
    rows = []
    for name, (explorer, seconds) in built.items():
        width, height = explorer.figure.canvas.get_width_height()
        print(f"built {name} in {seconds:.2f} s ({width}x{height} px picture)")
        for control_name, control in explorer.controls.items():
            times = time_control(control, values_for(control, args.repeats))
            rows.append((name, control_name, len(times), statistics.median(times), max(times)))
    print(f"\n{'widget':<18} {'control':<13} {'n':>3} {'median ms':>10} {'max ms':>8}")
    for name, control, n, median, worst in rows:
        flag = "" if median <= TARGET_MS else "  > target"
        print(f"{name:<18} {control:<13} {n:>3} {median:>10.1f} {worst:>8.1f}{flag}")
    worst_median = max(r[3] for r in rows)
    print(f"\nslowest median {worst_median:.1f} ms (target <= {TARGET_MS:.0f} ms); "
          f"{os.cpu_count()} CPUs; model: {label}")


if __name__ == "__main__":
    main()
