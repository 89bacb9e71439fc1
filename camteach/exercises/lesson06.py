"""Exercises on one class over many images: the pointing game, and a shortcut caught.

``q1, q2 = lesson06.bind(maps=maps, masks=masks, cue_masks=cue_masks)``;
``help(lesson06.bind)`` shows what to bind.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

import camteach as ct
from camteach import checks

from .checking import Exercise, IndexSet, Numbers, Sheet


def bind(maps, masks, cue_masks) -> tuple[Exercise, Exercise]:
    """Bind the exercises to one class's CAMs over many images and their masks.

    Parameters
    ----------
    maps : array-like, (N, h, w)
        One CAM per image, all for the same class (e.g. ``res.maps[:, 0]``).
    masks : array-like of bool, (N, H, H)
        The object's pixels (``scenes.masks``).
    cue_masks : array-like of bool, (N, H, H)
        The shortcut cue's pixels (``scenes.cue_masks``).

    Returns
    -------
    q1, q2 : Exercise
        q1 ``hit_rate``: the pointing game, the share of images whose
        upsampled CAM peaks on the object. q2 ``on_cue``: the indices of the
        images whose CAM peaks on the cue (a list, or a bool mask (N,)).
    """
    maps = checks.numeric_array(maps, "maps", (None, None, None))
    masks = checks.numeric_array(masks, "masks", (len(maps), None, None), dtype=bool)
    if masks.shape[1] != masks.shape[2]:
        raise ValueError(f"masks: expected square masks (N, H, H), got shape {masks.shape}")
    cue_masks = checks.numeric_array(cue_masks, "cue_masks", masks.shape, dtype=bool)
    sheet = Sheet(maps=maps, masks=masks, cue_masks=cue_masks)
    size = masks.shape[1]

    @cache
    def heat(method: str = "bilinear") -> np.ndarray:
        return ct.upsample(maps, size, method=method)

    def hits(where: np.ndarray, method: str = "bilinear") -> np.ndarray:
        return ct.pointing_game(heat(method), where)

    _ask_hit_rate(sheet, masks, hits)
    _ask_on_cue(sheet, masks, cue_masks, hits)
    return tuple(sheet.exercises)


#: ``hits(where, method="bilinear")``: per image (N,), whether the upsampled
#: CAM peaks inside ``where`` (N, H, H).
Hits = Callable[..., np.ndarray]


def _ask_hit_rate(sheet: Sheet, masks: np.ndarray, hits: Hits) -> None:
    """q1 ``hit_rate``: the pointing game's share of hits on the object."""
    size = masks.shape[1]
    sheet.add(
        question="The pointing game: in what share of the images does the CAM's hottest "
                 "pixel (after upsampling) fall on the object?",
        var="hit_rate",
        code=f"hit_rate = ct.pointing_game(ct.upsample(maps, {size}), masks).mean()",
        answer=lambda: hits(masks).mean(), kind=Numbers(rtol=1e-6, scale=1.0),
        why=lambda: (f"the CAM points at the object in {hits(masks).mean():.0%} of the "
                     f"images: one number over many images, where one picture could be a "
                     f"lucky pick."),
        hints=("ct.pointing_game(heatmaps, masks) says, per image, whether the peak is on "
               "the mask; it needs maps at the masks' size.",
               f"Upsample first (ct.upsample(maps, {size})), then average the True/False "
               f"results (.mean())."),
        mistakes=[
            (lambda: hits(masks).sum(), "that is the number of hits; the share divides by the "
                                        "number of images (.mean())."),
            (lambda: 100 * hits(masks).mean(), "that is a percentage; give a fraction."),
            (lambda: 1 - hits(masks).mean(), "that is the share of *misses*."),
            (lambda: hits(masks, "nearest").mean(),
             "that is with nearest-neighbour upsampling (the peak lands on a block's corner); "
             "use bilinear, ct.upsample's default."),
        ])


def _ask_on_cue(sheet: Sheet, masks: np.ndarray, cue_masks: np.ndarray, hits: Hits) -> None:
    """q2 ``on_cue``: the images whose CAM peaks on the shortcut cue."""
    n, size = masks.shape[:2]
    sheet.add(
        question="Which images' CAMs peak on the shortcut cue? (a list of image indices)",
        var="on_cue", code=f"on_cue = np.flatnonzero(ct.pointing_game(ct.upsample(maps, {size}), "
                           f"cue_masks))",
        answer=lambda: np.flatnonzero(hits(cue_masks)), kind=IndexSet(n, "image"),
        why=lambda: (f"in {hits(cue_masks).sum()} of {n} images the class's evidence is the "
                     f"cue, not the object: the model learned a shortcut, and its CAM shows "
                     f"it." if hits(cue_masks).any() else
                     "no CAM peaks on the cue here: on these images the class's evidence is "
                     "not the shortcut."),
        hints=("Play the pointing game against cue_masks instead of the object masks.",
               "np.flatnonzero turns the per-image True/False into the indices of the True."),
        mistakes=[
            (lambda: np.flatnonzero(~hits(cue_masks)), "those are the images whose CAM does "
                                                       "*not* peak on the cue."),
            (lambda: np.flatnonzero(hits(masks)), "those are the images whose CAM peaks on "
                                                  "the *object*."),
            (lambda: np.flatnonzero(cue_masks.any(axis=(1, 2))),
             "those are the images that *have* a cue; the question is where the CAM points."),
            (lambda: np.flatnonzero(hits(cue_masks)) + 1, "Python counts from 0: your indices "
                                                          "are one too high."),
            (lambda: np.flatnonzero(hits(cue_masks, "nearest")),
             "that is with nearest-neighbour upsampling; use bilinear, ct.upsample's default."),
        ])
