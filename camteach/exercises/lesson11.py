"""Exercises on judging explanations: which number to trust, and what it says.

The exercises work on scenes the lesson has not computed (``new``, seed 2 from
index 500): the course model, the scenes' images, labels and object masks::

    q1, q2, q3 = lesson11.bind(model=model, images=new.images, labels=new.labels,
                               masks=new.masks)

``help(lesson11.bind)`` shows what to bind.
"""

from __future__ import annotations

import numpy as np

import camteach as ct
from camteach import checks

from .checking import Choice, Exercise, Numbers, Sheet
from .distinct import distinct

#: q2's options: the metrics of the lesson.
METRICS = ("pointing", "energy", "box_iou", "deletion", "road", "randomisation")
STEPS = 16


def bind(model, images, labels, masks) -> tuple[Exercise, Exercise, Exercise]:
    """Bind the exercises to new scenes and the model that explains them.

    Parameters
    ----------
    model : keras.Model
        The course model (``ct.load_course_model()``).
    images : array-like, (N, H, W, 3)
        Unseen scenes.
    labels : array-like of int, (N,)
        Their true classes (the class every map explains).
    masks : array-like of bool, (N, H, W)
        The objects' pixels.

    Returns
    -------
    q1, q2, q3 : Exercise
        q1 ``hits``: the pointing game (15 px) of the centred Gaussian baseline.
        q2 ``trust``: which metric tells an edge detector from an explanation
        of the model. q3 ``gap``: the Gaussian's mean deletion AUC minus
        Grad-CAM's (16 steps).
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images: expected scenes (N, H, W, 3), got shape {images.shape}")
    n, size = len(images), images.shape[1:3]
    labels = checks.numeric_array(labels, "labels", (n,), dtype=None)
    masks = checks.numeric_array(masks, "masks", (n,) + size, dtype=bool)
    gaussian = ct.baselines.gaussian_maps(n, 7)[:, 0]
    sheet = Sheet(model=model, images=images, labels=labels, masks=masks, gaussian=gaussian)
    _ask_hits(sheet, gaussian, masks)
    _ask_trust(sheet, images, masks)
    _ask_gap(sheet, model, images, labels, gaussian)
    return tuple(sheet.exercises)


def _ask_hits(sheet: Sheet, gaussian: np.ndarray, masks: np.ndarray) -> None:
    kind = Numbers(rtol=1e-6, scale=1.0)

    def hits(maps=gaussian, tolerance=ct.metrics.POINTING_TOLERANCE) -> float:
        return float(ct.pointing_game(maps, masks, tolerance=tolerance).mean())

    random = ct.baselines.random_maps(len(masks), 7, seed=0)[:, 0]
    sheet.add(
        question="The centre bias: what share of these scenes does the centred Gaussian "
                 "(ct.baselines.gaussian_maps(len(masks), 7)[:, 0], the same map for every "
                 "image) win in the pointing game (peak within 15 px of the object)?",
        var="hits",
        code="gaussian = ct.baselines.gaussian_maps(len(masks), 7)[:, 0]\n"
             "hits = ct.pointing_game(gaussian, masks).mean()",
        answer=hits, kind=kind,
        why=lambda: (f"a map that never looks at the image wins {hits():.0%} of the games "
                     f"(a random map {hits(random):.0%}): objects sit near the middle, so a "
                     f"pointing score means something only above the Gaussian's."),
        hints=("ct.pointing_game(maps (N, h, w), masks (N, H, W)) upsamples the maps and "
               "returns one hit (bool) per image.",
               "Take the mean of the hits."),
        mistakes=distinct([
            (lambda: hits(tolerance=0), "that is the strict game (tolerance=0); the question "
                                        "allows 15 px."),
            (lambda: hits(random), "that is the random map's score; the question is the "
                                   "Gaussian's."),
            (lambda: 1 - hits(), "that is the share of misses."),
        ], hits, kind))


def _ask_trust(sheet: Sheet, images: np.ndarray, masks: np.ndarray) -> None:
    edges = ct.baselines.edge_maps(images)[:, 0]

    def why() -> str:
        hits = ct.pointing_game(edges, masks).mean()
        return (f"the edge map points at the object in {hits:.0%} of these scenes and looks "
                f"like an explanation, yet it never asks the model: only the randomisation "
                f"check (the map after re-initialising the weights) sees that it stays the "
                f"same. Localisation metrics measure the map against the truth, not against "
                f"the model.")

    sheet.add(
        question="A colleague's maps outline the objects nicely (they are the images' edges, "
                 "ct.baselines.edge_maps). Which metric would you trust to show that they do "
                 f"not explain the model? One of {', '.join(map(repr, METRICS))}.",
        var="trust",
        code='trust = "randomisation"',
        answer=lambda: "randomisation", kind=Choice(METRICS), why=why,
        hints=("Which metric changes the *model* and looks whether the map changes?",
               "Adebayo et al. (2018) re-initialise the layers from the top down."),
        mistakes=[(lambda: "pointing", "the edges point at the object often: pointing rewards "
                                       "them."),
                  (lambda: "energy", "edges lie on and around the object: energy pointing rewards "
                             "them too."),
                  (lambda: "box_iou", "a box around the edges can fit the object well."),
                  (lambda: "deletion", "deleting edges does hurt the score (they are the object's "
                               "outline), so deletion can rank them well; it does not ask "
                               "whether the map depends on the weights."),
                  (lambda: "road", "ROAD fixes deletion's out-of-distribution images, not this: it "
                           "does not ask whether the map depends on the weights.")])


def _ask_gap(sheet: Sheet, model, images, labels, gaussian) -> None:
    kind = Numbers(rtol=1e-4, scale=1.0)

    def auc(maps, steps=STEPS, metric=ct.deletion_auc) -> float:
        return float(metric(model, images, maps, labels, steps=steps).mean())

    def gap(steps=STEPS) -> float:
        grad = ct.grad_cam(model, images, classes=labels).maps[:, 0]
        return auc(gaussian, steps) - auc(grad, steps)

    def flipped() -> float:
        return -gap()

    def insertion_gap() -> float:
        grad = ct.grad_cam(model, images, classes=labels).maps[:, 0]
        return auc(gaussian, metric=ct.insertion_auc) - auc(grad, metric=ct.insertion_auc)

    sheet.add(
        question="Faithfulness beats the centre bias? The Gaussian's mean deletion AUC minus "
                 "Grad-CAM's (true classes, steps=16) on these scenes: gap = ...",
        var="gap",
        code="gaussian = ct.baselines.gaussian_maps(len(images), 7)[:, 0]\n"
             "grad = ct.grad_cam(model, images, classes=labels).maps[:, 0]\n"
             "gap = (ct.deletion_auc(model, images, gaussian, labels, steps=16).mean()\n"
             "       - ct.deletion_auc(model, images, grad, labels, steps=16).mean())",
        answer=gap, kind=kind,
        why=lambda: (f"gap = {gap():+.2f}: deleting Grad-CAM's pixels first kills the score "
                     f"faster than deleting the centre first (lower deletion AUC is better); "
                     f"the Gaussian still beats a random map, as the objects sit near the "
                     f"middle."),
        hints=("gaussian = ct.baselines.gaussian_maps(len(images), 7)[:, 0]; Grad-CAM: "
               "ct.grad_cam(model, images, classes=labels).maps[:, 0].",
               "ct.deletion_auc(model, images, maps, labels, steps=16) gives one AUC per "
               "image; subtract the means."),
        mistakes=[(flipped, "that is Grad-CAM's minus the Gaussian's; the question asks the "
                            "Gaussian's minus Grad-CAM's."),
                  (insertion_gap, "that uses insertion; the question is deletion.")])
