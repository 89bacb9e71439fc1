"""Exercises on global average pooling, on a scene the lesson did not pool: a car that moves.

``q1, q2, q3, q4 = lesson02.bind(F_car=F_car, F_car_moved=F_car_moved, F=F)``;
``help(lesson02.bind)`` shows what to bind.
"""

from __future__ import annotations

import numpy as np

from camteach import checks

from .checking import Choice, Exercise, Numbers, Sheet


def bind(F_car, F_car_moved, F) -> tuple[Exercise, Exercise, Exercise, Exercise]:
    """Bind the exercises to one scene's feature maps before and after its object moved.

    Parameters
    ----------
    F_car : array-like, (h, w, C)
        The last feature maps of one image (``ct.features(model, car.images).F[0]``).
    F_car_moved : array-like, (h, w, C)
        The same scene with the object elsewhere (``ct.draw_scene(..., center=...)``).
    F : array-like, (h, w, C)
        The lesson's own scene (already pooled in the lesson): answers copied
        from it get a message saying so.

    Returns
    -------
    q1, q2, q3, q4 : Exercise
        q1 ``pooled``: global average pooling of F_car by hand, (C,). q2
        ``pooled_change``: the relative change of the pooled vector when the
        object moves. q3 ``map_change``: the relative change of the maps.
        Relative change: ``np.linalg.norm(new - old) / np.linalg.norm(old)``.
        q4 ``all_zero`` (concept): what a pooled value of 0 says about its map.
    """
    F_car = checks.numeric_array(F_car, "F_car", (None,) * 3)
    F_car_moved = checks.numeric_array(F_car_moved, "F_car_moved", F_car.shape)
    F = checks.numeric_array(F, "F", F_car.shape)
    sheet = Sheet(F_car=F_car, F_car_moved=F_car_moved, F=F)
    pooled_change = _relative_change(F_car_moved.mean(axis=(0, 1)), F_car.mean(axis=(0, 1)))
    map_change = _relative_change(F_car_moved, F_car)
    _ask_pooled(sheet, F_car, F)
    _ask_pooled_change(sheet, F_car, F_car_moved, pooled_change, map_change)
    _ask_map_change(sheet, F_car, F_car_moved, pooled_change, map_change)
    _ask_zero(sheet)
    return tuple(sheet.exercises)


def _relative_change(new: np.ndarray, old: np.ndarray) -> float:
    """``norm(new - old) / norm(old)`` over all values."""
    return float(np.linalg.norm(new - old) / np.linalg.norm(old))


def _ask_pooled(sheet: Sheet, F_car: np.ndarray, F: np.ndarray) -> None:
    """q1 ``pooled``: global average pooling of F_car by hand, (C,)."""
    sheet.add(
        question="Global average pooling by hand: the pooled vector of F_car, shape (C,).",
        var="pooled", code="pooled = F_car.mean(axis=(0, 1))",
        answer=lambda: F_car.mean(axis=(0, 1)), kind=Numbers(),
        why="one number per feature: 'was thing k found, and how strongly, *somewhere*'. "
            "The map said where; the average forgets it.",
        hints=("Average each feature map over its positions: which axes of F_car (h, w, C) "
               "are the positions?",
               "One image, no batch axis: the positions are axes 0 and 1, "
               "F_car.mean(axis=(0, 1))."),
        mistakes=[
            (lambda: F.mean(axis=(0, 1)), "that is the pooled vector of the lesson's face "
                                          "scene (F); pool the car's maps, F_car."),
            (lambda: F_car.max(axis=(0, 1)), "that is *max* pooling; global *average* "
                                             "pooling takes the mean."),
            (lambda: F_car.sum(axis=(0, 1)), "that is the sum over the positions; the "
                                             "average divides it by h*w (use .mean)."),
            (lambda: F_car.mean(axis=2), "that averages over the features (axis 2), giving "
                                         "one 7x7 map; pool over the positions (0, 1)."),
            (lambda: F_car.mean(axis=(1, 2)), "axes (1, 2) are the positions of a *batch* "
                                              "(N, h, w, C); F_car is one image (h, w, C), "
                                              "whose positions are axes 0 and 1."),
            (lambda: F_car.mean(axis=0), "that averages over the rows only; pool over rows "
                                         "and columns: axis=(0, 1)."),
        ])


def _ask_pooled_change(sheet: Sheet, F_car: np.ndarray, F_car_moved: np.ndarray,
                       pooled_change: float, map_change: float) -> None:
    """q2 ``pooled_change``: the relative change of the pooled vector."""
    pooled = F_car.mean(axis=(0, 1))
    sheet.add(
        question="The car moved (F_car_moved). By how much, relatively, did its pooled "
                 "vector change? `np.linalg.norm(new - old) / np.linalg.norm(old)`",
        var="pooled_change",
        code="pooled_change = (np.linalg.norm(F_car_moved.mean(axis=(0, 1)) - pooled)\n"
             "                 / np.linalg.norm(pooled))",
        answer=lambda: pooled_change, kind=Numbers(),
        why=f"the pooled vector changed by {pooled_change:.1%}, the maps by "
            f"{map_change:.1%}: pooling hardly cares *where* the object is. To find where, "
            f"look before the pooling: the CAM.",
        hints=("Pool F_car_moved like F_car (q1's `pooled`), then compare the two vectors.",
               "np.linalg.norm(pooled_moved - pooled) / np.linalg.norm(pooled)."),
        mistakes=[
            (lambda: np.linalg.norm(F_car_moved.mean(axis=(0, 1)) - pooled),
             "that is the absolute change; divide by np.linalg.norm(pooled) for a relative one."),
            (lambda: map_change, "that is how much the feature *maps* changed (q3); this "
                                 "question is about the pooled vectors."),
            (lambda: _relative_change(F_car_moved.max(axis=(0, 1)), F_car.max(axis=(0, 1))),
             "that is the change of *max*-pooled vectors; the network averages (.mean)."),
        ])


def _ask_map_change(sheet: Sheet, F_car: np.ndarray, F_car_moved: np.ndarray,
                    pooled_change: float, map_change: float) -> None:
    """q3 ``map_change``: the relative change of the feature maps."""
    sheet.add(
        question="And by how much, relatively, did the feature maps themselves change "
                 "(F_car -> F_car_moved)?",
        var="map_change",
        code="map_change = np.linalg.norm(F_car_moved - F_car) / np.linalg.norm(F_car)",
        answer=lambda: map_change, kind=Numbers(),
        why=f"the maps changed by {map_change:.1%} but their averages only by "
            f"{pooled_change:.1%}: the 7x7 maps know where the object is, the pooled vector "
            f"does not.",
        hints=("Same formula as q2, on the maps themselves.",
               "np.linalg.norm(F_car_moved - F_car) / np.linalg.norm(F_car)."),
        mistakes=[
            (lambda: np.linalg.norm(F_car_moved - F_car),
             "that is the absolute change; divide by np.linalg.norm(F_car) for a relative one."),
            (lambda: pooled_change, "that is the change of the *pooled* vectors (q2); this "
                                    "one is about the maps before pooling."),
        ])


def _ask_zero(sheet: Sheet) -> None:
    """q4 ``all_zero`` (concept): a pooled value of exactly 0 and its 7x7 map."""
    sheet.add(
        question="Concept: a feature's pooled value is exactly 0. What do you know about its "
                 "7x7 map? 'all': every one of its 49 values is 0; 'some': at least one value "
                 "is 0; 'cancel': positive and negative values cancel out.",
        var="all_zero", code='all_zero = "all"   # values >= 0 (ReLU): a mean of 0 needs all 0',
        answer=lambda: "all", kind=Choice(("all", "some", "cancel")),
        why="after the ReLU every value is >= 0, so one positive value anywhere would make the "
            "mean positive: a pooled 0 means 'found nowhere', a positive one 'found "
            "somewhere'.",
        hints=("What does the ReLU before the pooling guarantee about every value of F?",
               "Can an average of numbers >= 0 be 0 if one of them is positive?"),
        mistakes=[
            (lambda: "some", "true but too weak: with every value >= 0, a single positive "
                             "value would make the mean positive. A mean of 0 needs *all* 49 "
                             "values to be 0."),
            (lambda: "cancel", "after the ReLU no value is negative, so nothing can cancel: a "
                               "mean of 0 means every value is 0."),
        ])
