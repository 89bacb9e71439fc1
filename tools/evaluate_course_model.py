"""Print every figure the course reports about its shipped models.

    python3 course.py evaluate

Course model, on test scenes (seed 2, never used in training): accuracy,
pointing game, CAM-box IoU at the paper's 20% and at a threshold chosen on
validation scenes (seed 1), per-class figures and network dissection.
Shortcut model: how much it relies on the stripe.
"""

from __future__ import annotations

import camteach as ct
from camteach import training


def main() -> None:
    report = training.evaluate(ct.load_course_model())
    print(f"Course model, {report['test_scenes']} test scenes (seed {report['test_seed']})\n")
    print("| figure | value |\n|---|---|")
    print(f"| accuracy | {report['accuracy']:.1%} |")
    print(f"| pointing game | {report['pointing_game']:.1%} |")
    for name, label in (("paper_0.2", "20% (paper)"),
                        ("chosen", f"{report['chosen_threshold']:.2f} (chosen on seed 1)")):
        box = report[f"box_iou_{name}"]
        print(f"| box IoU >= 0.5, threshold {label} | {box['share_at_least_0.5']:.1%} |")
        print(f"| mean box IoU, threshold {label} | {box['mean']:.3f} |")
    print("\n| class | accuracy | pointing game | mean box IoU (chosen) |\n|---|---|---|---|")
    for name, row in report["per_class"].items():
        print(f"| {name} | {row['accuracy']:.1%} | {row['pointing_game']:.1%} | "
              f"{row['box_iou_chosen_mean']:.3f} |")
    print("\n| part | best channel | IoU |\n|---|---|---|")
    for part, row in sorted(report["dissection"].items(), key=lambda kv: -kv[1]["iou"]):
        print(f"| {part} | {row['channel']} | {row['iou']:.2f} |")
    shortcut = training.evaluate_shortcut(ct.load_course_model("shortcut"), shortcut="stripe")
    print("\nShortcut model (a stripe on cars in training; moved to the other classes in test)\n")
    print("| figure | value |\n|---|---|")
    print(f"| accuracy, clean test scenes | {shortcut['clean_accuracy']:.1%} |")
    print(f"| accuracy, stripe moved to other classes | {shortcut['swapped_accuracy']:.1%} |")
    print(f"| striped images called 'car' | {shortcut['cued_called_shortcut_class']:.1%} |")
    print(f"| CAM peak on the stripe (striped images) | {shortcut['cam_peak_on_cue_when_cued']:.1%} |")


if __name__ == "__main__":
    main()
