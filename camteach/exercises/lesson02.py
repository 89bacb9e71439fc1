"""Exercises on global average pooling: by hand, and how little it moves with the object.

``q1, q2, q3 = lesson02.bind(F=F, F_moved=F_moved)``; ``help(lesson02.bind)`` shows
what to bind.
"""

from __future__ import annotations

import numpy as np

from camteach import checks

from .checking import Exercise, Numbers, Sheet


def bind(F, F_moved) -> tuple[Exercise, Exercise, Exercise]:
    """Bind the exercises to the feature maps of scenes before and after the object moved.

    Parameters
    ----------
    F : array-like, (N, h, w, C)
        Feature maps of some images (``ct.features(model, images).F``).
    F_moved : array-like, (N, h, w, C)
        Feature maps of the same scenes with the object moved
        (``ct.draw_scene(..., center=...)`` with another centre).

    Returns
    -------
    q1, q2, q3 : Exercise
        q1 ``pooled``: global average pooling of F by hand, (N, C). q2
        ``pooled_change``: the relative change of the pooled vectors when the
        object moves. q3 ``map_change``: the relative change of the maps.
        Relative change: ``np.linalg.norm(new - old) / np.linalg.norm(old)``.
    """
    F = checks.numeric_array(F, "F", (None,) * 4)
    F_moved = checks.numeric_array(F_moved, "F_moved", F.shape)
    sheet = Sheet(F=F, F_moved=F_moved)
    pooled = F.mean(axis=(1, 2))
    pooled_change = _relative_change(F_moved.mean(axis=(1, 2)), pooled)
    map_change = _relative_change(F_moved, F)
    _ask_pooled(sheet, F)
    _ask_pooled_change(sheet, F, F_moved, pooled_change, map_change)
    _ask_map_change(sheet, F, F_moved, pooled_change, map_change)
    return tuple(sheet.exercises)


def _relative_change(new: np.ndarray, old: np.ndarray) -> float:
    """``norm(new - old) / norm(old)`` over all values."""
    return float(np.linalg.norm(new - old) / np.linalg.norm(old))


def _ask_pooled(sheet: Sheet, F: np.ndarray) -> None:
    """q1 ``pooled``: global average pooling by hand, (N, C)."""
    sheet.add(
        question="Global average pooling by hand: the pooled vector of every image, (N, C).",
        var="pooled", code="pooled = F.mean(axis=(1, 2))",
        answer=lambda: F.mean(axis=(1, 2)), kind=Numbers(),
        why="one number per feature: 'was thing k found, and how strongly, *somewhere*'. "
            "The map said where; the average forgets it.",
        hints=("Average each feature map over its positions: which axes of F (N, h, w, C) "
               "are the positions?",
               "The spatial axes are 1 and 2: F.mean(axis=(1, 2))."),
        mistakes=[
            (lambda: F.max(axis=(1, 2)), "that is *max* pooling; global *average* pooling "
                                         "takes the mean."),
            (lambda: F.sum(axis=(1, 2)), "that is the sum over the positions; the average "
                                         "divides it by h*w (use .mean)."),
            (lambda: F.mean(axis=3), "that averages over the channels (axis 3), giving one "
                                     "map per image; pool over the spatial axes (1, 2)."),
            (lambda: F.mean(axis=(0, 1)), "axis 0 is the images (the batch); the spatial axes "
                                          "of F (N, h, w, C) are 1 and 2."),
            (lambda: F.mean(axis=1), "that averages over the rows only; pool over rows and "
                                     "columns: axis=(1, 2)."),
        ])


def _ask_pooled_change(sheet: Sheet, F: np.ndarray, F_moved: np.ndarray,
                       pooled_change: float, map_change: float) -> None:
    """q2 ``pooled_change``: the relative change of the pooled vectors."""
    pooled = F.mean(axis=(1, 2))
    sheet.add(
        question="The object moved. By how much (relatively) did the pooled vectors change? "
                 "`np.linalg.norm(new - old) / np.linalg.norm(old)`",
        var="pooled_change",
        code="pooled_change = (np.linalg.norm(F_moved.mean(axis=(1, 2)) - pooled)\n"
             "                 / np.linalg.norm(pooled))",
        answer=lambda: pooled_change, kind=Numbers(),
        why=f"the pooled vectors changed by {pooled_change:.1%}, the maps by "
            f"{map_change:.1%}: pooling hardly cares *where* the object is. To find where, "
            f"look before the pooling: the CAM.",
        hints=("Pool F_moved like F, then compare the two pooled arrays.",
               "np.linalg.norm(pooled_moved - pooled) / np.linalg.norm(pooled)."),
        mistakes=[
            (lambda: np.linalg.norm(F_moved.mean(axis=(1, 2)) - pooled),
             "that is the absolute change; divide by np.linalg.norm(pooled) for a relative one."),
            (lambda: map_change, "that is how much the feature *maps* changed; the question "
                                 "asks about the pooled vectors."),
            (lambda: _relative_change(F_moved.max(axis=(1, 2)), F.max(axis=(1, 2))),
             "that is the change of *max*-pooled vectors; the network averages (.mean)."),
        ])


def _ask_map_change(sheet: Sheet, F: np.ndarray, F_moved: np.ndarray,
                    pooled_change: float, map_change: float) -> None:
    """q3 ``map_change``: the relative change of the feature maps."""
    sheet.add(
        question="And by how much (relatively) did the feature maps F change?",
        var="map_change", code="map_change = np.linalg.norm(F_moved - F) / np.linalg.norm(F)",
        answer=lambda: map_change, kind=Numbers(),
        why=f"the maps changed by {map_change:.1%} but their averages only by "
            f"{pooled_change:.1%}: the 7x7 maps know where the object is, the pooled vector "
            f"does not.",
        hints=("Same formula as q2, on the maps themselves.",
               "np.linalg.norm(F_moved - F) / np.linalg.norm(F)."),
        mistakes=[
            (lambda: np.linalg.norm(F_moved - F),
             "that is the absolute change; divide by np.linalg.norm(F) for a relative one."),
            (lambda: pooled_change, "that is the change of the *pooled* vectors (q2); this "
                                    "one is about the maps before pooling."),
        ])
