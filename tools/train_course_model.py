"""Retrain the shipped course models from scratch and write their report.

    python3 course.py train                 # all three models (~20 min on 2 idle CPU cores)
    python3 course.py train --only shortcut
    python3 course.py train --only vgg      # the model without global average pooling
    python3 course.py train --only xray     # the chest X-ray model (tools/train_xray_model.py)
    python3 course.py train --only xray_shortcut   # the X-ray model trained with a corner tag
    python3 course.py train --only course --epochs 3      # a variant (overrides need --only)

Writes ``camteach/data/<name>_model.keras`` (with the head its loss trained:
a sigmoid per class), records each file's SHA-256, size and head in
``camteach/data/models.json`` (``ct.load_course_model`` checks them), and
stores the training summary and the evaluation figures beside it. Training
is seeded and uses TensorFlow's deterministic ops.
"""

from __future__ import annotations

import argparse
import json
import time

from camteach import course_model, training

import train_xray_model  # noqa: E402  (beside this script)

#: The shipped recipes (the README tells how they were chosen). The shortcut model
#: sees the stripe on every car it trains on (``shortcut_always``: the scenes put it
#: on 95% of the cars, the others are dropped) and never on another class. Seed 4 is
#: the first of the seeds tried (0, 3, 4, 5) whose model met lesson 06's targets on
#: validation scenes (seed 1): with seeds 0, 3 and 5 the car CAM peaked within 15 px
#: of the stripe in 64-76% of striped scenes (a top stripe's evidence is a near tie
#: between the map's two top rows), under the 80% the lesson needs.
CONFIGS = {
    "course": dict(),
    "shortcut": dict(scenes=9600, epochs=2, backgrounds=2400, shortcut="stripe",
                     shortcut_class="car", shortcut_always=True, seed=4),
    # A VGG-style network (Flatten + Dense head, no GAP) on the course model's scenes (seed 0:
    # its first 9600 training scenes, and 2400 backgrounds), trained with batch normalisation
    # that is folded into its convolutions before shipping. A trial on 2400 + 600 (2 epochs)
    # reached 95% accuracy and a 92% pointing game on validation scenes (seed 1). The full
    # 19200 + 4800 ran out of memory on the shared machine it was trained on (24 GB).
    "vgg": dict(architecture="vgg", widths=(32, 64, 128), scenes=9600, backgrounds=2400,
                epochs=1),
}


def _evaluate(name: str, model, config, seed: int) -> dict:
    if name == "course":
        return training.evaluate(model)
    if name == "vgg":
        test = seed == training.TEST_SEED
        return training.evaluate_vgg(model, n=800 if test else 400, seed=seed,
                                     backgrounds=400 if test else 0)
    return training.evaluate_shortcut(model, shortcut=config.shortcut,
                                      shortcut_class=config.shortcut_class, seed=seed)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted([*CONFIGS, "xray", "xray_shortcut"]))
    parser.add_argument("--scenes", type=int, help="training scenes with an object")
    parser.add_argument("--backgrounds", type=int, help="training images with no object")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--seed", type=int, help="training scenes, initial weights, shuffling")
    args = parser.parse_args(argv)
    if args.only in ("xray", "xray_shortcut"):   # their own recipes and options: phantoms, not scenes
        if args.scenes is not None or args.backgrounds is not None:
            parser.error("--scenes/--backgrounds: the X-ray model trains on phantoms; "
                         "see tools/train_xray_model.py --help")
        train_xray_model.main([f"--model={args.only}"] + [
            f"--{k}={v}" for k, v in (("epochs", args.epochs), ("seed", args.seed)) if v is not None])
        return
    overrides = {k: v for k, v in vars(args).items() if k != "only" and v is not None}
    if overrides and not args.only:
        parser.error(f"--{next(iter(overrides))}: changes one model's recipe; "
                     f"say which with --only {' or --only '.join(CONFIGS)}")
    for key, value in overrides.items():
        low = 0 if key in ("backgrounds", "seed") else 1
        if value < low:
            parser.error(f"--{key}: expected a number >= {low}, got {value}")
    for name, recipe in CONFIGS.items():
        if args.only and name != args.only:
            continue
        config = training.TrainConfig(**{**recipe, **overrides})
        start = time.perf_counter()
        model, summary = training.train(config)
        summary["total_seconds"] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        report = _evaluate(name, model, config, training.TEST_SEED)
        validation = (None if name == "course" else   # recipes are compared on these
                      _evaluate(name, model, config, training.VAL_SEED))
        summary["evaluate_seconds"] = round(time.perf_counter() - start, 1)
        # write the weights and their manifest entry together (loaders check one against the other)
        path = course_model.DATA / f"{name}_model.keras"
        course_model.save_course_model(model, path)
        models = course_model.manifest()
        models[name] = {"file": path.name, "sha256": course_model.sha256(path),
                        "size_bytes": path.stat().st_size, "head": summary["head"],
                        "training": summary, "evaluation": report}
        if validation is not None:
            models[name]["validation"] = validation
        course_model.MANIFEST.write_text(json.dumps(models, indent=2) + "\n")
        print(json.dumps(models[name], indent=2), flush=True)
    if not args.only:
        train_xray_model.main([])
        train_xray_model.main(["--model=xray_shortcut"])


if __name__ == "__main__":
    main()
