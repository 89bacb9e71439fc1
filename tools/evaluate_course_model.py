"""Print every figure the course reports about its shipped models.

    python3 course.py evaluate

Course model, on test scenes (seed 2, never used in training): accuracy,
pointing game (a hit within 15 px of the object, Zhang et al. 2016, and the
strict version: on the object), CAM-box IoU at the paper's 20% and at a
threshold chosen on validation scenes (seed 1), per-class figures, what the
sigmoid head says on empty backgrounds, and network dissection.
Shortcut model: its confusion matrix on clean scenes, and how much it relies
on the stripe when the stripe is moved to the other classes.
X-ray models, on unseen phantoms (seed 2): ROC AUC, Grad-CAM pointing and box
IoU per finding beside the readers' IoU with each other; the X-ray shortcut
model: the probability of its finding with and without the corner tag.
"vgg" model (no global average pooling, so no CAM): accuracy and Grad-CAM's
pointing game at the last convolution of each block, on the same test scenes.
"""

from __future__ import annotations

import camteach as ct
from camteach import training
from camteach.xray import training as xray_training


def course(report: dict) -> None:
    tol = report["pointing_tolerance_px"]
    print(f"Course model, {report['test_scenes']} test scenes (seed {report['test_seed']})\n")
    print("| figure | value |\n|---|---|")
    print(f"| accuracy | {report['accuracy']:.1%} |")
    print(f"| pointing game (peak within {tol} px of the object) | {report['pointing_game']:.1%} |")
    print(f"| pointing game, strict (peak on the object) | {report['pointing_game_strict']:.1%} |")
    for name, label in (("paper_0.2", "20% (paper)"),
                        ("chosen", f"{report['chosen_threshold']:.2f} (chosen on seed 1)")):
        box = report[f"box_iou_{name}"]
        print(f"| box IoU >= 0.5, threshold {label} | {box['share_at_least_0.5']:.1%} |")
        print(f"| mean box IoU, threshold {label} | {box['mean']:.3f} |")
    print(f"\n| class | accuracy | pointing game ({tol} px) | pointing game (strict) "
          f"| mean box IoU (chosen) |\n|---|---|---|---|---|")
    for name, row in report["per_class"].items():
        print(f"| {name} | {row['accuracy']:.1%} | {row['pointing_game']:.1%} | "
              f"{row['pointing_game_strict']:.1%} | {row['box_iou_chosen_mean']:.3f} |")
    empty = report["empty_backgrounds"]
    print(f"\nEmpty backgrounds ({empty['backgrounds']}, seed {empty['seed']}), "
          f"{empty['head']} head:\n")
    print("| figure | value |\n|---|---|")
    print(f"| largest class probability | {empty['max_probability']:.3f} |")
    print(f"| mean of each background's top probability | {empty['mean_top_probability']:.3f} |")
    print(f"| backgrounds with a class probability > 0.5 | {empty['share_above_0.5']:.2%} |")
    print("\n| part | best channel | IoU |\n|---|---|---|")
    for part, row in sorted(report["dissection"].items(), key=lambda kv: -kv[1]["iou"]):
        print(f"| {part} | {row['channel']} | {row['iou']:.2f} |")


def shortcut(report: dict) -> None:
    tol, cls = report["pointing_tolerance_px"], report["shortcut_class"]
    print(f"\nShortcut model ({report['shortcut']} on {cls}s in training), "
          f"{report['test_scenes']} test scenes (seed {report['test_seed']})\n")
    print("Clean scenes (no stripe): rows are the true class, columns the prediction\n")
    names = ct.CLASS_NAMES
    print("| true \\ predicted | " + " | ".join(names) + " | accuracy |")
    print("|---" * (len(names) + 2) + "|")
    for name, row in zip(names, report["clean_confusion"]):
        print(f"| {name} | " + " | ".join(str(v) for v in row)
              + f" | {report['clean_per_class_accuracy'][name]:.1%} |")
    print("\n| figure | value |\n|---|---|")
    print(f"| accuracy, clean scenes | {report['clean_accuracy']:.1%} |")
    print(f"| accuracy, stripe moved to the other classes | {report['swapped_accuracy']:.1%} |")
    print(f"| striped non-{cls}s called '{cls}' ({report['cued_images']} images) "
          f"| {report['cued_called_shortcut_class']:.1%} |")
    print(f"| {cls} CAM peak within {tol} px of the stripe (striped images) "
          f"| {report['cam_peak_near_cue']:.1%} |")
    print(f"| {cls} CAM peak on the stripe, strict (striped images) | {report['cam_peak_on_cue']:.1%} |")
    print(f"| {cls} CAM peak within {tol} px of the object (striped images) "
          f"| {report['cam_peak_near_object']:.1%} |")


def vgg(report: dict) -> None:
    tol = report["pointing_tolerance_px"]
    print(f"\n\"vgg\" model (Flatten + Dense head, no CAM), {report['test_scenes']} test scenes "
          f"(seed {report['test_seed']}); Grad-CAM of the true class\n")
    print("| figure | value |\n|---|---|")
    print(f"| accuracy | {report['accuracy']:.1%} |")
    print(f"| Grad-CAM pointing game at {report['layer']} (within {tol} px) "
          f"| {report['pointing_game']:.1%} |")
    print(f"| Grad-CAM pointing game at {report['layer']}, strict | "
          f"{report['pointing_game_strict']:.1%} |")
    print(f"\n| layer | map | pointing game ({tol} px) | strict |\n|---|---|---|---|")
    for layer, row in report["by_layer"].items():
        print(f"| {layer} | {row['size'][0]}x{row['size'][1]} | {row['pointing_game']:.1%} | "
              f"{row['pointing_game_strict']:.1%} |")
    print(f"\n| class | accuracy | pointing game ({tol} px) | strict |\n|---|---|---|---|")
    for name, row in report["per_class"].items():
        print(f"| {name} | {row['accuracy']:.1%} | {row['pointing_game']:.1%} | "
              f"{row['pointing_game_strict']:.1%} |")
    empty = report["empty_backgrounds"]
    print(f"\nEmpty backgrounds ({empty['backgrounds']}): largest class probability "
          f"{empty['max_probability']:.3f}, share with one > 0.5: {empty['share_above_0.5']:.2%}")


def xray(report: dict) -> None:
    print(f"\n## X-ray model ({report['phantoms']} unseen phantoms, seed {report['seed']}; "
          f"Grad-CAM at {report['grad_cam']['layer']})\n")
    cam = report["grad_cam"]
    print("| finding | ROC AUC | Grad-CAM pointing (15 px from the fused box) | Grad-CAM box IoU "
          "| readers' IoU with each other |")
    print("|---|---|---|---|---|")
    for name, auc in report["auc"]["per_finding"].items():
        print(f"| {name} | {auc:.3f} | {cam['per_finding'][name]:.1%} | "
              f"{cam.get('per_finding_box_iou', {}).get(name, float('nan')):.2f} | "
              f"{cam.get('per_finding_reader_iou', {}).get(name, float('nan')):.2f} |")
    print(f"| all | mean {report['auc']['mean']:.3f}, min {report['auc']['min']:.3f} | "
          f"{cam['pointing_game']:.1%} | {cam['box_iou']:.2f} | {cam['reader_iou']:.2f} |")
    print(f"\nBox IoU, Grad-CAM box vs fused box: {cam['box_iou']:.2f}; "
          f"readers' boxes with each other (the ceiling): {cam['reader_iou']:.2f}")


def xray_shortcut(report: dict) -> None:
    print(f"\n## X-ray shortcut model (the \"AP\" corner tag went with {report['finding']} "
          f"in training)\n")
    print(f"On {report['without_finding']} unseen phantoms without {report['finding']} "
          f"(seed {report['seed']}), the same phantoms without and with the tag:\n")
    print("| | no tag | tag |\n|---|---|---|")
    print(f"| mean probability of {report['finding']} | {report['probability_without_marker']:.3f} | "
          f"{report['probability_with_marker']:.3f} |")
    print(f"| share called positive (> 0.5) | {report['positive_without_marker']:.1%} | "
          f"{report['positive_with_marker']:.1%} |")
    print(f"| Grad-CAM ({report['layer']}) peak within 15 px of the tag | "
          f"{report['grad_cam_on_marker_without']:.1%} | {report['grad_cam_on_marker']:.1%} |")
    print(f"\nROC AUC of {report['finding']} on phantoms without any tag: {report['auc_clean']:.3f}")


def main() -> None:
    course(training.evaluate(ct.load_course_model()))
    shortcut(training.evaluate_shortcut(ct.load_course_model("shortcut"), shortcut="stripe"))
    vgg(training.evaluate_vgg(ct.load_course_model("vgg")))
    xray(xray_training.evaluate(ct.load_xray_model()))
    xray_shortcut(xray_training.evaluate_shortcut(ct.load_xray_model("shortcut")))


if __name__ == "__main__":
    main()
