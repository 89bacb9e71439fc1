"""Retrain the course's X-ray models on phantoms and write their figures.

    .venv/bin/python tools/train_xray_model.py            # the shipped recipe
    .venv/bin/python tools/train_xray_model.py --phantoms 2000 --epochs 1 --dry-run
    .venv/bin/python tools/train_xray_model.py --model xray_shortcut   # the corner-tag shortcut

Writes ``camteach/data/<model>_model.keras`` and the ``"<model>"`` entry of
``camteach/data/models.json`` (file, SHA-256, size, head, training summary,
evaluation on unseen phantoms of seed 2; the shortcut model also how much it
relies on the tag); other entries are left as they are.
``ct.load_xray_model()`` / ``ct.load_xray_model("shortcut")`` check the file
against the entry. ``--dry-run`` trains and evaluates without writing anything.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from camteach import course_model
from camteach.xray import model as xray_model
from camteach.xray import training


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(xray_model.MODELS.values()), default=xray_model.NAME,
                        help="xray: the course X-ray model; xray_shortcut: trained with the corner tag")
    parser.add_argument("--phantoms", type=int, help="training phantoms")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--seed", type=int, help="training phantoms, initial weights, shuffling")
    parser.add_argument("--test", type=int, default=600, help="unseen phantoms to evaluate on")
    parser.add_argument("--dry-run", action="store_true", help="write nothing")
    parser.add_argument("--out", help="write the model and its entry (JSON) to this folder "
                                      "instead of the package (to compare a candidate)")
    args = parser.parse_args(argv)
    overrides = {k: v for k, v in vars(args).items()
                 if k in ("phantoms", "epochs", "seed") and v is not None}
    for key, value in overrides.items():
        low = 0 if key == "seed" else 1
        if value < low:
            parser.error(f"--{key}: expected a number >= {low}, got {value}")
    shortcut = args.model != xray_model.NAME
    config = training.XrayTrainConfig(**{**(training.SHORTCUT_CONFIG if shortcut else {}), **overrides})
    start = time.perf_counter()
    model, summary = training.train(config)
    summary["total_seconds"] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()
    report = training.evaluate(model, n=args.test)
    if shortcut:
        report["shortcut"] = training.evaluate_shortcut(model, config.marker)
    summary["evaluate_seconds"] = round(time.perf_counter() - start, 1)
    print(json.dumps(report, indent=2), flush=True)
    if args.dry_run:
        return
    folder = Path(args.out) if args.out else course_model.DATA
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{args.model}_model.keras"
    course_model.save_course_model(model, path)
    entry = {"file": path.name, "sha256": course_model.sha256(path),
             "size_bytes": path.stat().st_size, "head": "sigmoid",
             "outputs": list(xray_model.OUTPUTS), "training": summary, "evaluation": report}
    if args.out:
        (folder / f"{args.model}_entry.json").write_text(json.dumps(entry, indent=2) + "\n")
    else:
        models = course_model.manifest()             # read-modify-write: other entries stay
        models[args.model] = entry
        course_model.MANIFEST.write_text(json.dumps(models, indent=2) + "\n")
    print(json.dumps({k: v for k, v in entry.items() if k != "evaluation"}, indent=2), flush=True)


if __name__ == "__main__":
    main()
