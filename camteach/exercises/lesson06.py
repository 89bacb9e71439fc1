"""Exercises on one class over many images: a shortcut caught by its CAM, and measured.

The exercises work on scenes the lesson has not computed: the shortcut model's car
CAMs of new scenes where the stripe was moved to the other classes (``maps``, with
the objects' ``masks`` and the stripes' ``cue_masks``), and its CAMs of the true
class on clean scenes (``clean_maps``, ``clean_masks``)::

    q1, q2, q3 = lesson06.bind(maps=maps, masks=masks, cue_masks=cue_masks,
                               clean_maps=clean_maps, clean_masks=clean_masks)

``help(lesson06.bind)`` shows what to bind.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

import camteach as ct
from camteach import checks
from camteach.metrics import POINTING_TOLERANCE

from .checking import Choice, Exercise, IndexSet, Numbers, Sheet
from .distinct import distinct


def bind(maps, masks, cue_masks, clean_maps, clean_masks
         ) -> tuple[Exercise, Exercise, Exercise]:
    """Bind the exercises to one class's CAMs over many images, and clean scenes' CAMs.

    Parameters
    ----------
    maps : array-like, (N, h, w)
        One CAM per image, all for the same class (the shortcut model's car CAM,
        ``ct.cam(shortcut_model, more.images, classes=car).maps[:, 0]``).
    masks : array-like of bool, (N, H, H)
        The objects' pixels (``more.masks``).
    cue_masks : array-like of bool, (N, H, H)
        The shortcut cue's pixels (``more.cue_masks``; empty where there is no cue).
    clean_maps : array-like, (M, h, w)
        CAMs of each clean scene's true class.
    clean_masks : array-like of bool, (M, H, H)
        Those scenes' objects.

    Returns
    -------
    q1, q2, q3 : Exercise
        q1 ``stripe_rate``: the share of the striped scenes whose CAM peaks
        within 15 px of the stripe (Zhang et al.'s pointing game, played
        against the stripe). q2 ``missed``: the indices of the striped scenes
        whose CAM does *not* (a list, or a bool mask (N,)). q3 ``share``:
        predict-then-check, does the CAM of the true class point at the object
        on "most", "some" or "few" clean scenes?
    """
    maps = checks.numeric_array(maps, "maps", (None, None, None))
    masks = checks.numeric_array(masks, "masks", (len(maps), None, None), dtype=bool)
    if masks.shape[1] != masks.shape[2]:
        raise ValueError(f"masks: expected square masks (N, H, H), got shape {masks.shape}")
    cue_masks = checks.numeric_array(cue_masks, "cue_masks", masks.shape, dtype=bool)
    clean_maps = checks.numeric_array(clean_maps, "clean_maps", (None,) + maps.shape[1:])
    clean_masks = checks.numeric_array(clean_masks, "clean_masks",
                                       (len(clean_maps),) + masks.shape[1:], dtype=bool)
    sheet = Sheet(maps=maps, masks=masks, cue_masks=cue_masks, clean_maps=clean_maps,
                  clean_masks=clean_masks)
    size = masks.shape[1]

    @cache
    def heat(method: str = "bilinear", clean: bool = False) -> np.ndarray:
        return ct.upsample(clean_maps if clean else maps, size, method=method)

    def hits(where: np.ndarray, method: str = "bilinear",
             tolerance: float = POINTING_TOLERANCE, clean: bool = False) -> np.ndarray:
        return ct.pointing_game(heat(method, clean), where, tolerance=tolerance)

    striped = cue_masks.any(axis=(1, 2))
    _ask_stripe_rate(sheet, striped, cue_masks, hits)
    _ask_missed(sheet, striped, masks, cue_masks, hits)
    _ask_clean(sheet, clean_masks, hits)
    return tuple(sheet.exercises)


#: ``hits(where, method="bilinear", tolerance=15, clean=False)``: per image (N,),
#: whether the upsampled CAM peaks within ``tolerance`` px of ``where`` (N, H, H).
Hits = Callable[..., np.ndarray]


def _ask_stripe_rate(sheet: Sheet, striped: np.ndarray, cue_masks: np.ndarray,
                     hits: Hits) -> None:
    """q1 ``stripe_rate``: the share of striped scenes whose CAM peaks near the stripe."""
    size, n = cue_masks.shape[1], len(cue_masks)
    kind = Numbers(rtol=1e-6, scale=1.0)

    def rate(**how) -> float:
        return float(hits(cue_masks, **how)[striped].mean())

    sheet.add(
        question="The pointing game against the stripe: in what share of the *striped* "
                 "scenes does the car CAM's peak (after upsampling) lie within 15 px of the "
                 "stripe (Zhang et al. 2016's tolerance)?",
        var="stripe_rate",
        code=f"striped = cue_masks.any(axis=(1, 2))\n"
             f"stripe_rate = ct.pointing_game(ct.upsample(maps, {size}), cue_masks)"
             f"[striped].mean()",
        answer=rate, kind=kind,
        why=lambda: (f"in {rate():.0%} of the {striped.sum()} striped scenes the car CAM "
                     f"peaks within 15 px of the stripe: a share measured over many images, "
                     f"not read off one lucky picture."),
        hints=("ct.pointing_game(heatmaps, masks) says, per image, whether the peak is "
               "within 15 px of the mask; it needs maps at the masks' size "
               f"(ct.upsample(maps, {size})).",
               "Play it against cue_masks, then average over the striped scenes only: "
               "striped = cue_masks.any(axis=(1, 2))."),
        mistakes=distinct([
            (lambda: hits(cue_masks).mean(),
             f"you averaged over all {n} scenes, {n - striped.sum()} of them without a "
             f"stripe (a CAM cannot point at a stripe that is not there): average over "
             f"the striped scenes only."),
            (lambda: rate(tolerance=0),
             "that is the strict version (the peak on the stripe's own pixels); the "
             "question asks for Zhang et al.'s: within 15 px (ct.pointing_game's "
             "default)."),
            (lambda: hits(cue_masks)[striped].sum(), "that is the number of scenes; the share "
                                                     "divides by the number of striped "
                                                     "scenes (.mean())."),
            (lambda: 100 * rate(), "that is a percentage; give a fraction."),
            (lambda: 1 - rate(), "that is the share of striped scenes whose CAM does *not* "
                                 "peak near the stripe."),
            (lambda: rate(method="nearest"),
             "that is with nearest-neighbour upsampling (the peak lands on a block's "
             "corner); use bilinear, ct.upsample's default."),
        ], rate, kind))


def _ask_missed(sheet: Sheet, striped: np.ndarray, masks: np.ndarray, cue_masks: np.ndarray,
                hits: Hits) -> None:
    """q2 ``missed``: the striped scenes whose CAM does not peak near the stripe."""
    n, size = masks.shape[:2]
    kind = IndexSet(n, "image")

    def missed(**how) -> np.ndarray:
        return np.flatnonzero(striped & ~hits(cue_masks, **how))

    sheet.add(
        question="The scenes worth a look: the indices of the striped scenes whose car CAM "
                 "does *not* peak within 15 px of the stripe.",
        var="missed",
        code=f"near_stripe = ct.pointing_game(ct.upsample(maps, {size}), cue_masks)\n"
             f"missed = np.flatnonzero(cue_masks.any(axis=(1, 2)) & ~near_stripe)",
        answer=missed, kind=kind,
        why=lambda: (f"{len(missed())} of the {striped.sum()} striped scenes: look at those "
                     f"(ct.plots.localisation) before saying what the model uses there. A "
                     f"measured share, not the claim that it is *always* the stripe."
                     if len(missed()) else
                     "none: in every striped scene the car CAM peaks within 15 px of the "
                     "stripe."),
        hints=("ct.pointing_game against cue_masks gives True where the peak is near the "
               "stripe; you want the striped scenes where it is False.",
               "striped = cue_masks.any(axis=(1, 2)); np.flatnonzero(striped & ~near_stripe) "
               "gives the indices."),
        mistakes=distinct([
            (lambda: np.flatnonzero(~hits(cue_masks)),
             "those include the scenes with no stripe at all (their CAM cannot be near a "
             "stripe): keep the striped scenes only."),
            (lambda: np.flatnonzero(striped & hits(cue_masks)),
             "those are the striped scenes whose CAM *does* peak near the stripe."),
            (lambda: missed(tolerance=0),
             "that is with the strict pointing game (peak on the stripe's pixels); use "
             "Zhang et al.'s 15 px, ct.pointing_game's default."),
            (lambda: np.flatnonzero(striped & ~hits(masks)),
             "those are the striped scenes whose CAM does not point at the *object*; the "
             "question is about the stripe."),
            (lambda: missed() + 1, "Python counts from 0: your indices are one too high."),
            (lambda: missed(method="nearest"),
             "that is with nearest-neighbour upsampling; use bilinear, ct.upsample's "
             "default."),
        ], missed, kind))


#: q3's options and the shares they stand for.
SHARES = ("most", "some", "few")


def _word(rate: float) -> str:
    """'most' (>= 80%), 'few' (< 20%), else 'some'."""
    return "most" if rate >= 0.8 else "few" if rate < 0.2 else "some"


def _ask_clean(sheet: Sheet, clean_masks: np.ndarray, hits: Hits) -> None:
    """q3 ``share``: predict, then measure the pointing game on clean scenes."""
    size, m = clean_masks.shape[1], len(clean_masks)

    def rate() -> float:
        return float(hits(clean_masks, clean=True).mean())

    def why() -> str:
        text = (f"measured: the CAM of the true class points at the object (within 15 px) "
                f"in {rate():.0%} of the {m} clean scenes. ")
        if _word(rate()) == "most":
            return text + ("On clean scenes the shortcut is invisible: a pointing game on "
                           "data without the cue cannot catch it. Test with the cue present, "
                           "as above.")
        return text + ("On clean scenes too its CAMs often miss the objects: a model that "
                       "learned a shortcut learned less about the objects themselves (its "
                       "confusion matrix says how much less).")

    sheet.add(
        question="Predict, then check: on the clean scenes (no stripe), does the shortcut "
                 "model's CAM of each scene's true class peak within 15 px of the object in "
                 "'most' (80% or more), 'some', or 'few' (under 20%) of them? Write your "
                 "prediction down, then measure it with clean_maps and clean_masks.",
        var="share",
        code=f"clean_rate = ct.pointing_game(ct.upsample(clean_maps, {size}), "
             f"clean_masks).mean()\n"
             f'share = "most" if clean_rate >= 0.8 else "few" if clean_rate < 0.2 '
             f'else "some"',
        answer=lambda: _word(rate()), kind=Choice(SHARES),
        why=why,
        hints=("The pointing game of lesson 06's first half, on clean_maps and clean_masks.",
               f"ct.pointing_game(ct.upsample(clean_maps, {size}), clean_masks).mean(), "
               f"then: 'most' if >= 0.8, 'few' if < 0.2, else 'some'."),
        mistakes=[(lambda o=o: o, f"not what the measurement says: compute "
                                  f"ct.pointing_game(ct.upsample(clean_maps, {size}), "
                                  f"clean_masks).mean() and compare it with 0.8 and 0.2.")
                  for o in SHARES if o != _word(rate())])
