"""Retrain the shipped course models from scratch and write their report.

    python3 course.py train                 # both models (~15 min on 2 CPU cores)
    python3 course.py train --only shortcut

Writes ``camteach/data/<name>_model.keras``, records each file's SHA-256 in
``camteach/data/models.json`` (``ct.load_course_model`` checks it), and
stores the training summary and the evaluation figures beside it.
"""

from __future__ import annotations

import argparse
import json
import time

from camteach import course_model, training


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["course", "shortcut"])
    parser.add_argument("--scenes", type=int, default=None, help="training scenes (course model)")
    parser.add_argument("--epochs", type=int, default=None)
    args = parser.parse_args()
    configs = {
        "course": training.TrainConfig(),
        "shortcut": training.TrainConfig(scenes=3200, epochs=2, backgrounds=800,
                                         shortcut="stripe", shortcut_class="car"),
    }
    if args.scenes:
        configs["course"].scenes = args.scenes
    if args.epochs:
        configs["course"].epochs = args.epochs
    models = course_model.manifest()
    for name, config in configs.items():
        if args.only and name != args.only:
            continue
        start = time.perf_counter()
        model, summary = training.train(config)
        path = course_model.DATA / f"{name}_model.keras"
        course_model.save_course_model(model, path)
        report = (training.evaluate(model) if name == "course"
                  else training.evaluate_shortcut(model, shortcut=config.shortcut))
        summary["total_seconds"] = round(time.perf_counter() - start, 1)
        models[name] = {"file": path.name, "sha256": course_model.sha256(path),
                        "size_bytes": path.stat().st_size,
                        "training": summary, "evaluation": report}
        course_model.MANIFEST.write_text(json.dumps(models, indent=2) + "\n")
        print(json.dumps(models[name], indent=2), flush=True)


if __name__ == "__main__":
    main()
