"""Every explanation method, and two baselines, on every metric of lesson 11, on unseen data.

    python3 course.py leaderboard                 # 200 scenes (+ 100 X-ray phantoms if shipped)
    python3 course.py leaderboard --scenes 20 --phantoms 0 --road 2 --sanity 4   # a smoke run

For each registered method (``ct.methods.names()``; LIME with ``--lime-samples``
perturbed images per image, fewer than its 1000 by default, for the time
budget) and the baselines (a random 7x7 map, a centred Gaussian), on unseen
test scenes (``make_scenes(n, seed=2)``; thresholds chosen on validation
scenes, seed 1) and, when the course ships its X-ray model, on unseen
phantoms (seed 2, validation seed 1; one row per (image, present finding),
the truth its fused boxes):

- seconds per image to draw the maps;
- pointing game (Zhang et al. 2016, within 15 px) and its strict version;
- energy pointing (Wang et al. 2020): the positive mass on the object;
- box IoU of the CAM-paper box at the threshold chosen per method on the
  validation set;
- deletion and insertion AUC (Petsiuk et al. 2018; probability; ``--steps``);
- ROAD (Rong et al. 2022): MoRF and LeRF AUC on the first ``--road`` images;
- the randomisation check (Adebayo et al. 2018) on the first ``--sanity``
  images: mean |Spearman| with the fully randomised model's maps, and pass.

The table is printed as markdown and saved, with a JSON of the numbers and
a figure, under ``--out`` (default ``slides/figures/``, committed with the
decks).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import camteach as ct
from camteach import sanity
from camteach.plots._figure import DPI, new_figure

ROOT = Path(__file__).resolve().parent.parent
BASELINES = ("random", "gaussian")
COLUMNS = (("s_per_image", "s/img", None), ("pointing", "pointing", "up"),
           ("pointing_strict", "strict", "up"), ("energy", "energy", "up"),
           ("box_iou", "box IoU", "up"), ("deletion", "deletion", "down"),
           ("insertion", "insertion", "up"), ("road_morf", "ROAD MoRF", "down"),
           ("road_lerf", "ROAD LeRF", "up"), ("sanity_rho", "rand. rho", "down"),
           ("sanity_pass", "sanity", None))


@dataclass
class Task:
    """One data set: a model, test and validation images, the explained classes, the truth."""

    name: str
    model: object
    images: np.ndarray
    classes: np.ndarray
    masks: np.ndarray            # (N, H, W) the object / the fused boxes
    boxes: list                  # N arrays (B, 4): IoU is the best over them
    val_images: np.ndarray
    val_classes: np.ndarray
    val_boxes: list


def scene_task(n: int, n_val: int) -> Task:
    test, val = ct.make_scenes(n, seed=ct.TEST_SEED), ct.make_scenes(n_val, seed=ct.VAL_SEED)
    return Task("scenes", ct.load_course_model(), test.images, test.labels, test.masks,
                [b[None] for b in test.boxes], val.images, val.labels,
                [b[None] for b in val.boxes])


def phantom_task(n: int, n_val: int) -> Task | str:
    """The X-ray task, or why there is none."""
    if not (hasattr(ct, "xray") and hasattr(ct, "load_xray_model")):
        return "ct.xray or ct.load_xray_model does not exist"
    try:
        model = ct.load_xray_model()
    except (ValueError, FileNotFoundError, OSError) as error:
        return f"the X-ray model cannot be loaded ({error})"

    def rows(data):
        pairs = [(i, int(k)) for i in range(len(data)) for k in np.flatnonzero(data.labels[i])]
        boxes = [np.array([b.box for b in data.boxes[i] if b.finding == k], np.float64)
                 for i, k in pairs]
        return (data.images[[i for i, _ in pairs]], np.array([k for _, k in pairs]),
                data.box_masks(pairs), boxes)

    test = rows(ct.xray.phantom_data(n, seed=ct.TEST_SEED))
    val = rows(ct.xray.phantom_data(n_val, seed=ct.VAL_SEED))
    return Task("phantoms", model, *test, val[0], val[1], val[3])


def map_functions(lime_samples: int) -> dict:
    """name -> ``(model, images, classes) -> maps (N, h, w)``: every method, then the baselines."""
    def method(name):
        options = {"num_samples": lime_samples} if name == "lime" else {}
        return lambda model, x, c: ct.explain(model, x, name, classes=c, **options).maps[:, 0]

    table = {name: method(name) for name in ct.methods.names()}
    table["random"] = lambda model, x, c: ct.baselines.random_maps(len(x), 7, seed=0)[:, 0]
    table["gaussian"] = lambda model, x, c: ct.baselines.gaussian_maps(len(x), 7)[:, 0]
    return table


def best_iou(heat: np.ndarray, boxes: list, threshold: float) -> np.ndarray:
    return np.array([ct.box_iou(ct.cam_box(h, threshold), b).max() for h, b in zip(heat, boxes)])


def choose_threshold(heat: np.ndarray, boxes: list) -> float:
    """The CAM-box threshold with the best mean IoU on the validation maps."""
    return max(ct.metrics.THRESHOLDS, key=lambda t: best_iou(heat, boxes, t).mean())


def evaluate(task: Task, name: str, fn, args, log) -> dict:
    """One row of the table: every metric of one method on one task."""
    model, x, c, size = task.model, task.images, task.classes, task.images.shape[1:3]
    fn(model, x[:2], c[:2])                                 # compile outside the clock
    start = time.perf_counter()
    maps = fn(model, x, c)
    seconds = (time.perf_counter() - start) / len(x)
    heat = ct.upsample(maps, size)
    threshold = choose_threshold(ct.upsample(fn(model, task.val_images, task.val_classes), size),
                                 task.val_boxes)
    row = {"s_per_image": seconds,
           "pointing": ct.pointing_game(heat, task.masks).mean(),
           "pointing_strict": ct.pointing_game(heat, task.masks, tolerance=0).mean(),
           "energy": ct.energy_pointing(heat, task.masks).mean(),
           "box_threshold": threshold,
           "box_iou": best_iou(heat, task.boxes, threshold).mean()}
    log(f"  {name}: maps {seconds:.3f} s/img; deletion/insertion ...")
    options = {"steps": args.steps, "batch_size": 64}
    row["deletion"] = ct.deletion_auc(model, x, maps, c, **options).mean()
    row["insertion"] = ct.insertion_auc(model, x, maps, c, **options).mean()
    k = min(args.road, len(x))
    if k:
        log(f"  {name}: ROAD on {k} ...")
        result = ct.road(model, x[:k], maps[:k], c[:k], percentages=args.percentages)
        row["road_morf"], row["road_lerf"] = result.morf_auc.mean(), result.lerf_auc.mean()
    k = min(args.sanity, len(x))
    if k:
        log(f"  {name}: randomisation check on {k} ...")
        depth = len(sanity.cascade_steps(model))
        check = ct.randomization_check(model, x[:k], c[:k], {name: fn}, depths=(depth,))
        row["sanity_rho"] = float(np.abs(check.spearman[name][-1]).mean())
        row["sanity_pass"] = check.passes[name]
    return {key: (float(v) if isinstance(v, (float, np.floating)) else v)
            for key, v in row.items()}


def cell(key: str, value) -> str:
    if value is None:
        return "-"
    if key == "sanity_pass":
        return "pass" if value else "FAIL"
    if key == "s_per_image":
        return f"{value:.3f}"
    return f"{value:.2f}"


def ordered(rows: dict) -> list[str]:
    """The methods' names, then the baselines'."""
    return [n for n in rows if n not in BASELINES] + [n for n in rows if n in BASELINES]


def markdown(results: dict, task: str) -> str:
    lines = ["| method | " + " | ".join(title for _, title, _ in COLUMNS) + " |",
             "|---|" + "---:|" * len(COLUMNS)]
    for name in ordered(results[task]):
        row = results[task][name]
        label = f"{name} (baseline)" if name in BASELINES else name
        if "error" in row:
            label += f" (failed: {row['error'][:60]})"
        lines.append(f"| {label} | " + " | ".join(cell(key, row.get(key))
                                                   for key, _, _ in COLUMNS) + " |")
    return "\n".join(lines)


def figure(results: dict, path: Path, ncols: int = 5) -> None:
    """One bar chart per metric and task (``ncols`` a row); grey bars are the baselines."""
    keys = [(key, title, better) for key, title, better in COLUMNS if key != "sanity_pass"]
    tasks = list(results)
    rows_per_task = -(-len(keys) // ncols)
    names_max = max(len(r) for r in results.values())
    fig = new_figure(3.2 * ncols, (0.3 * names_max + 1.2) * rows_per_task * len(tasks) + 0.6)
    fig.set_layout_engine("constrained")
    axes = fig.subplots(rows_per_task * len(tasks), ncols, squeeze=False)
    for t, task in enumerate(tasks):
        names = ordered(results[task])
        for j, (key, title, better) in enumerate(keys):
            ax = axes[t * rows_per_task + j // ncols, j % ncols]
            values = [results[task][n].get(key) for n in names]
            shown = [np.nan if v is None else v for v in values]
            colours = ["0.6" if n in BASELINES else "tab:blue" for n in names]
            ax.barh(range(len(names)), shown, color=colours)
            ax.set_yticks(range(len(names)), names if j % ncols == 0 else [""] * len(names))
            ax.invert_yaxis()
            arrow = {"up": "higher is better", "down": "lower is better", None: "seconds"}[better]
            ax.set_title(f"{task}: {title}", fontsize=10)
            ax.set_xlabel(arrow, fontsize=8)
            if key == "s_per_image":
                ax.set_xscale("log")
        for j in range(len(keys), rows_per_task * ncols):
            axes[t * rows_per_task + j // ncols, j % ncols].axis("off")
    fig.suptitle("Explanation methods on unseen data (grey: baselines)", fontsize=12)
    fig.savefig(path, dpi=DPI)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=200, help="unseen test scenes (seed 2)")
    parser.add_argument("--phantoms", type=int, default=100, help="unseen X-ray phantoms (seed 2)")
    parser.add_argument("--val", type=int, default=40, help="validation images for thresholds")
    parser.add_argument("--steps", type=int, default=16, help="deletion/insertion steps")
    parser.add_argument("--road", type=int, default=10, help="images for ROAD (exact solves)")
    parser.add_argument("--percentages", type=int, nargs="+", default=[20, 50, 80],
                        help="ROAD's removed shares in %% (Rong et al.: 10 20 ... 90)")
    parser.add_argument("--sanity", type=int, default=16, help="images for the randomisation check")
    parser.add_argument("--lime-samples", type=int, default=200,
                        help="LIME's perturbed images per image (its default is 1000)")
    parser.add_argument("--methods", nargs="+", default=None, help="a subset (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "slides" / "figures")
    parser.add_argument("--merge", action="store_true",
                        help="keep the rows of --out's leaderboard.json, replacing those rerun")
    args = parser.parse_args(argv)

    def log(text):
        print(text, file=sys.stderr, flush=True)

    begin = time.perf_counter()
    tasks = [scene_task(args.scenes, args.val)] if args.scenes else []
    if args.phantoms:
        task = phantom_task(args.phantoms, args.val)
        if isinstance(task, str):
            print(f"X-ray phantoms left out: {task}.\n")
        else:
            tasks.append(task)
    functions = map_functions(args.lime_samples)
    if args.methods:
        functions = {n: f for n, f in functions.items() if n in args.methods}
    saved = args.out / "leaderboard.json"
    previous = json.loads(saved.read_text()) if args.merge and saved.exists() else {}
    results: dict = previous.get("results", {})
    args.out.mkdir(parents=True, exist_ok=True)

    def save(final: bool) -> str:
        """Write the table and the numbers so far (a long run keeps what it has measured)."""
        minutes = (time.perf_counter() - begin) / 60 + previous.get("minutes", 0.0)
        text = []
        for task in (t for t in tasks if t.name in results):
            text.append(f"### {task.name}: {len(task.images)} unseen (seed 2); ROAD on "
                        f"{min(args.road, len(task.images))}, randomisation on "
                        f"{min(args.sanity, len(task.images))}; deletion/insertion "
                        f"{args.steps} steps; LIME {args.lime_samples} samples\n")
            text.append(markdown(results, task.name) + "\n")
        text.append("rand. rho: mean |Spearman| of each map with the same method's map on the "
                    "fully randomised model (Adebayo et al.); sanity: pass when it is below "
                    f"{sanity.PASS_THRESHOLD}. Deletion, ROAD MoRF and rand. rho: lower is "
                    "better.\n")
        text.append(f"{'Whole run' if final else 'So far'}: {minutes:.1f} min"
                    + (" (runs merged)." if previous else "."))
        (args.out / "leaderboard.md").write_text("\n".join(text) + "\n")
        saved.write_text(json.dumps(
            {"args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
             "minutes": minutes, "results": results}, indent=1) + "\n")
        return "\n".join(text)

    for task in tasks:
        log(f"{task.name}: {len(task.images)} test rows, {len(task.val_images)} validation")
        results.setdefault(task.name, {})
        for name, fn in functions.items():
            try:
                results[task.name][name] = evaluate(task, name, fn, args, log)
            except Exception as error:      # one method's failure must not lose the table
                log(f"  {name}: FAILED: {type(error).__name__}: {error}")
                results[task.name][name] = {"error": f"{type(error).__name__}: {error}"}
            save(final=False)
    print(save(final=True))
    if results:
        figure(results, args.out / "leaderboard.png")
    print(f"\nSaved {args.out / 'leaderboard.md'}, .json and .png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
