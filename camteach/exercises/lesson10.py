"""Exercises on chest X-rays: multi-label outputs, heat maps against readers, logit vs probability.

They work on phantoms the lesson has not computed (``new``, e.g.
``ct.xray.phantom_data(8, seed=3, start=100)``), the X-ray model, and one
phantom ``i`` with a finding ``k`` (a column of ``new.labels`` that is 1)::

    q1, q2, q3, q4 = lesson10.bind(model=model, new=new, i=i, k=k)

``help(lesson10.bind)`` shows what to bind.
"""

from __future__ import annotations

import keras
import numpy as np

import camteach as ct
from camteach.xray.judge import score_map
from camteach.xray.vinbigdata import XrayData

from .checking import Choice, Exercise, IndexSet, Numbers, Sheet
from .distinct import distinct

#: q4's options: what ``argmax`` over one sigmoid column calls positive.
ARGMAX = ("none", "all", "those with p >= 0.5")


def bind(model: keras.Model, new: XrayData, i: int, k: int
         ) -> tuple[Exercise, Exercise, Exercise, Exercise]:
    """Bind the exercises to the X-ray model, unseen phantoms and one present finding.

    Parameters
    ----------
    model : keras.Model
        The X-ray model (``ct.load_xray_model()``): (N, S, S, 1) -> (N, K) sigmoids.
    new : XrayData
        Phantoms the lesson did not compute, with their readers' boxes.
    i, k : int
        A phantom of ``new`` and a finding (column) it has: ``new.labels[i, k] == 1``.

    Returns
    -------
    q1, q2, q3, q4 : Exercise
        q1 ``positive``: the phantoms the model calls positive for finding k
        (probability >= 0.5). q2 ``map_iou``: the mean IoU of Grad-CAM's box
        (finding k, phantom i) with each reader's box. q3 ``ratio``: the peak
        of Grad-CAM on the probability over its peak on the logit. q4
        ``argmax_says``: concept, what ``argmax`` over a single sigmoid column
        calls positive.
    """
    if not isinstance(new, XrayData) or len(new) < 2:
        raise ValueError("new: expected XrayData of at least 2 phantoms (ct.xray.phantom_data)")
    if not 0 <= int(i) < len(new):
        raise ValueError(f"i: expected a phantom index 0..{len(new) - 1}, got {i!r}")
    if not 0 <= int(k) < new.labels.shape[1] or not new.labels[i, k]:
        raise ValueError(f"k: expected a finding phantom {i} has (one of "
                         f"{np.flatnonzero(new.labels[i]).tolist()}), got {k!r}")
    i, k = int(i), int(k)
    p = model.predict(new.images, verbose=0)
    sheet = Sheet(model=model, new=new, i=i, k=k, p=p)
    _ask_positive(sheet, p, new, k)
    _ask_map_iou(sheet, model, new, i, k)
    _ask_ratio(sheet, model, new, i, k, float(p[i, k]))
    _ask_argmax(sheet, p, k, new.findings[k])
    return tuple(sheet.exercises)


def _ask_positive(sheet: Sheet, p: np.ndarray, new: XrayData, k: int) -> None:
    kind = IndexSet(len(p), noun="phantom")

    def positive() -> np.ndarray:
        return np.flatnonzero(p[:, k] >= 0.5)

    sheet.add(
        question=f"With p = model.predict(new.images): which phantoms does the model call "
                 f"positive for finding k ({new.findings[k]!r}), at the threshold 0.5?",
        var="positive",
        code="p = model.predict(new.images, verbose=0)\npositive = np.flatnonzero(p[:, k] >= 0.5)",
        answer=positive, kind=kind,
        why=lambda: (f"{len(positive())} of {len(p)} phantoms: each finding has its own sigmoid "
                     f"and its own threshold; the other findings' probabilities do not matter."),
        hints=("Multi-label: read column k of the probabilities on its own.",
               "np.flatnonzero(p[:, k] >= 0.5)"),
        mistakes=distinct([
            (lambda: np.flatnonzero(p.argmax(axis=1) == k),
             "that keeps the phantoms where k is the *most likely* finding (softmax thinking); "
             "with sigmoids each finding is judged on its own: p[:, k] >= 0.5."),
            (lambda: np.flatnonzero(new.labels[:, k]),
             "those are the phantoms the readers' fused boxes mark (the truth), not the "
             "model's calls."),
            (lambda: np.flatnonzero(p[:, k] > 0),
             "a probability is always > 0; the threshold is 0.5."),
            (lambda: np.flatnonzero(p[:, k] < 0.5), "those are the negatives."),
        ], positive, kind))


def _ask_map_iou(sheet: Sheet, model: keras.Model, new: XrayData, i: int, k: int) -> None:
    kind = Numbers(rtol=1e-3, scale=1.0)
    image = new.images[i:i + 1]

    def heat(layer="mixed3"):
        return ct.grad_cam(model, image, classes=k, layer=layer).maps[0, 0]

    def map_iou(layer="mixed3", threshold=0.5) -> float:
        scores = score_map(heat(layer), new, i, k, threshold=threshold)["readers"]
        return float(np.mean([s["iou"] for s in scores.values()]))

    def fused() -> float:
        return score_map(heat(), new, i, k)["fused"]["iou"]

    def readers() -> float:
        return float(np.mean(score_map(heat(), new, i, k)["reader_iou"] or [np.nan]))

    sheet.add(
        question="Grad-CAM of finding k on phantom i at mixed3: the mean IoU of its box "
                 "(ct.xray.judge.score_map, threshold 0.5) with the box of each reader who "
                 "marked k?",
        var="map_iou",
        code="heat = ct.grad_cam(model, new.images[i:i + 1], classes=k,\n"
             "                   layer=\"mixed3\").maps[0, 0]\n"
             "scores = ct.xray.judge.score_map(heat, new, i, k)\n"
             "map_iou = np.mean([s[\"iou\"] for s in scores[\"readers\"].values()])",
        answer=map_iou, kind=kind,
        why=lambda: (f"map vs a reader: {map_iou():.2f}; the readers with each other: "
                     f"{readers():.2f}. A map that agrees with the readers less than they agree "
                     f"with each other is below the ceiling, not necessarily wrong."),
        hints=("ct.xray.judge.score_map(heat, new, i, k)['readers'] has one {'hit', 'iou'} "
               "per reader.",
               "Average the 'iou' of every reader of scores['readers']."),
        mistakes=distinct([
            (fused, "that is the IoU with the fused box; the question asks for each reader's."),
            (lambda: map_iou(threshold=0.2), "that box keeps 20% of the peak; use threshold 0.5."),
            (lambda: map_iou(layer="mixed1"), "that is the map at mixed1; the question asks for "
                                              "mixed3."),
            (readers, "that is the readers' IoU with each other (scores['reader_iou'])."),
        ], map_iou, kind))


def _ask_ratio(sheet: Sheet, model: keras.Model, new: XrayData, i: int, k: int,
               prob: float) -> None:
    kind = Numbers(rtol=1e-3)
    image = new.images[i:i + 1]

    def ratio() -> float:
        peak = [float(ct.grad_cam(model, image, classes=k, score=s).maps.max())
                for s in ("probability", "logit")]
        return peak[0] / peak[1]

    sheet.add(
        question="Predict, then check: on phantom i and finding k, the peak of Grad-CAM of the "
                 "probability (score='probability') divided by the peak of Grad-CAM of the "
                 "logit. Which number of p = sigmoid(logit) is it?",
        var="ratio",
        code="prob_map = ct.grad_cam(model, new.images[i:i + 1], classes=k,\n"
             "                       score=\"probability\")\n"
             "logit_map = ct.grad_cam(model, new.images[i:i + 1], classes=k)\n"
             "ratio = prob_map.maps.max() / logit_map.maps.max()",
        answer=ratio, kind=kind,
        why=lambda: (f"ratio {ratio():.4f} = p (1 - p) with p = {prob:.4f}: the chain rule "
                     f"multiplies every gradient by the sigmoid's slope, which vanishes when the "
                     f"model is sure; the map's shape stays, its scale goes."),
        hints=("Compute both maps with ct.grad_cam(..., score=...) and divide their maxima.",
               "d sigmoid(z) / dz = p (1 - p): every gradient is scaled by it."),
        mistakes=distinct([
            (lambda: prob, "that is p itself; the slope of the sigmoid is p (1 - p)."),
            (lambda: 1 / ratio(), "that is the logit's peak over the probability's."),
            (lambda: 1 - prob, "that is 1 - p; the slope is p (1 - p)."),
        ], ratio, kind))


def _ask_argmax(sheet: Sheet, p: np.ndarray, k: int, name: str) -> None:
    column = p[:, [k]]

    def why() -> str:
        return (f"np.argmax(p[:, [k]], axis=1) = {np.argmax(column, axis=1).tolist()}: the "
                f"index of the largest of ONE number is always 0, so every phantom is called "
                f"negative, although {int((column >= 0.5).sum())} have p >= 0.5. Threshold the "
                f"sigmoid instead (the cited repository's bug).")

    sheet.add(
        question=f"A model with ONE sigmoid output for {name!r}, (N, 1), and the prediction "
                 f"taken as np.argmax(p, axis=1) (1 = finding): which phantoms does it call "
                 f"positive? 'none', 'all' or 'those with p >= 0.5'. Check with p[:, [k]].",
        var="argmax_says",
        code="calls = np.argmax(p[:, [k]], axis=1)\n"
             "argmax_says = \"none\" if not calls.any() else \"all\" if calls.all() "
             "else \"those with p >= 0.5\"",
        answer=lambda: "none", kind=Choice(ARGMAX), why=why,
        hints=("How many entries does one row of p[:, [k]] have?",
               "argmax of a single value is its index, 0, whatever the value."),
        mistakes=[(lambda: "all", "argmax never returns 1 on one column: its only index is 0."),
                  (lambda: "those with p >= 0.5",
                   "that is what thresholding would do; argmax over one column cannot.")])
