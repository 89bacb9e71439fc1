"""Exercises on Grad-CAM versus LIME, read superpixel by superpixel and against the truth.

The exercises work on a scene the lesson has not computed: LIME (1000 samples)
and Grad-CAM of its true class (``res_new`` and ``heat``, the Grad-CAM map upsampled
to the image), its superpixels ``segments`` and the object's ``mask``::

    q1, q2, q3 = lesson09.bind(res_new=res_new, heat=heat, mask=mask)

``help(lesson09.bind)`` shows what to bind.
"""

from __future__ import annotations

import numpy as np

import camteach as ct
from camteach import checks
from camteach.methods.lime import LimeResult, refit

from .checking import Choice, Exercise, Numbers, Sheet
from .distinct import distinct

#: q3's options and the shares of the top-5 superpixels kept that they stand for.
KEPT = ("most", "some", "few")
K = 5


def _word(kept: float) -> str:
    """'most' (4 or 5 of the 5 kept), 'few' (0 or 1), else 'some'."""
    return "most" if kept >= 0.8 else "few" if kept < 0.4 else "some"


def bind(res_new: LimeResult, heat, mask) -> tuple[Exercise, Exercise, Exercise]:
    """Bind the exercises to one scene's LIME result, its Grad-CAM map and its object.

    Parameters
    ----------
    res_new : LimeResult
        ``ct.explain(model, image, "lime", classes=label, num_samples=1000)``
        for one image and one class (its ``segments`` are the superpixels).
    heat : array-like, (H, W)
        Grad-CAM of the same class, upsampled to the image (``ct.upsample``).
    mask : array-like of bool, (H, W)
        The object's pixels.

    Returns
    -------
    q1, q2, q3 : Exercise
        q1 ``shared``: the share of LIME's top-5 superpixels among Grad-CAM's
        top-5 (Grad-CAM read as its mean over each superpixel). q2
        ``on_object``: the share of LIME's positive weight that lies on the
        object. q3 ``kept``: predict-then-check, with 100 samples instead of
        1000, do "most", "some" or "few" of LIME's top-5 superpixels stay?
    """
    res = res_new
    if not isinstance(res, LimeResult) or res.maps.shape[:2] != (1, 1):
        raise ValueError("res_new: expected LIME of one image and one class "
                         "(ct.explain(model, image, 'lime', classes=label))")
    size = res.maps.shape[2:]
    heat = checks.numeric_array(heat, "heat", size)
    mask = checks.numeric_array(mask, "mask", size, dtype=bool)
    segments, w = res.segments[0], res.weights[0][0]
    sheet = Sheet(res_new=res, heat=heat, mask=mask, segments=segments, w_new=w)
    means = ct.superpixels.superpixel_means(heat, segments)
    _ask_shared(sheet, w, means)
    _ask_on_object(sheet, res, heat, mask)
    _ask_kept(sheet, res, w)
    return tuple(sheet.exercises)


def _ask_shared(sheet: Sheet, w: np.ndarray, means: np.ndarray) -> None:
    kind = Numbers(rtol=1e-6, scale=1.0)

    def shared(a=w, b=means, k=K) -> float:
        return ct.superpixels.top_overlap(a, b, k)

    sheet.add(
        question="Read Grad-CAM superpixel by superpixel (its mean over each one): what "
                 "share of LIME's 5 top superpixels (largest weights w_new) are also among "
                 "Grad-CAM's 5 top superpixels?",
        var="shared",
        code="means = ct.superpixels.superpixel_means(heat, segments)\n"
             "shared = ct.superpixels.top_overlap(w_new, means, 5)",
        answer=shared, kind=kind,
        why=lambda: (f"{shared():.0%} of LIME's top 5 are Grad-CAM's top 5 too: the two "
                     f"methods agree on the most important pieces that much, on this scene."),
        hints=("ct.superpixels.superpixel_means(heat, segments) gives Grad-CAM one value "
               "per superpixel, like LIME's w_new.",
               "ct.superpixels.top_overlap(w_new, means, 5) compares the two top-5 sets."),
        mistakes=distinct([
            (lambda: shared(k=3), "that compares the top 3; the question asks for the top 5."),
            (lambda: shared(a=np.abs(w)), "that ranks LIME's superpixels by |w_new|: a large "
                                          "negative weight argues *against* the class. Rank "
                                          "by w_new itself."),
            (lambda: shared(a=-w, b=-means), "those are the 5 *lowest* superpixels of each."),
            (lambda: len(np.intersect1d(ct.superpixels.top_superpixels(w, K),
                                        ct.superpixels.top_superpixels(means, K))),
             "that is the number of shared superpixels; give the share (divide by 5)."),
        ], shared, kind))


def _ask_on_object(sheet: Sheet, res: LimeResult, heat: np.ndarray, mask: np.ndarray) -> None:
    kind = Numbers(rtol=1e-6, scale=1.0)
    lime_map = res.maps[0, 0]

    def on_object(m=lime_map) -> float:
        return float(ct.metrics.energy_pointing(m[None], mask[None])[0])

    def signed_share() -> float:
        return float((lime_map * mask).sum() / lime_map.sum())

    sheet.add(
        question="How much of LIME's *positive* evidence lies on the object: the share of "
                 "the positive part of LIME's map (res_new.maps[0, 0]) inside mask?",
        var="on_object",
        code="lime_map = res_new.maps[0, 0]\n"
             "on_object = ct.metrics.energy_pointing(lime_map[None], mask[None])[0]",
        answer=on_object, kind=kind,
        why=lambda: (f"{on_object():.0%} of LIME's positive weight is on the object "
                     f"(Grad-CAM: {on_object(heat):.0%}): the whole map judged, not only "
                     f"its peak."),
        hints=("The energy-based pointing game: sum(ReLU(map) * mask) / sum(ReLU(map)).",
               "ct.metrics.energy_pointing(maps (N, H, W), masks (N, H, W)) does it; give "
               "it a batch of one."),
        mistakes=distinct([
            (signed_share, "that sums the signed map: negative weights cancel positive ones. "
                           "Keep the positive part only (ReLU)."),
            (lambda: on_object(heat), "that is Grad-CAM's share; the question is LIME's."),
            (lambda: 1 - on_object(), "that is the share *off* the object."),
            (lambda: float(mask.mean()), "that is the object's share of the image (what a "
                                         "flat map would score)."),
        ], on_object, kind))


def _ask_kept(sheet: Sheet, res: LimeResult, w: np.ndarray) -> None:
    def kept() -> float:
        return ct.superpixels.top_overlap(refit(res, 100).weights[0][0], w, K)

    def why() -> str:
        return (f"measured: {kept():.0%} of the top 5 stay with 100 samples. LIME's "
                f"surrogate is fitted on random samples: with few of them its ranking moves "
                f"(and with another seed too); Grad-CAM has no randomness to average out.")

    sheet.add(
        question="Predict, then check: with 100 samples instead of 1000 (same seed), do "
                 "'most' (4 or 5), 'some' (2 or 3) or 'few' (0 or 1) of LIME's top-5 "
                 "superpixels stay in the top 5? ct.methods.lime.refit(res_new, 100) gives LIME "
                 "with the first 100 samples, without running the model.",
        var="kept",
        code="small = ct.methods.lime.refit(res_new, 100)\n"
             "share = ct.superpixels.top_overlap(small.weights[0][0], w_new, 5)\n"
             'kept = "most" if share >= 0.8 else "few" if share < 0.4 else "some"',
        answer=lambda: _word(kept()), kind=Choice(KEPT), why=why,
        hints=("refit(res_new, 100).weights[0][0] are the 100-sample weights; compare their "
               "top 5 with w_new's.",
               "ct.superpixels.top_overlap(small_w, w_new, 5), then 'most' if >= 0.8, 'few' if "
               "< 0.4, else 'some'."),
        mistakes=[(lambda o=o: o, "not what the measurement says: refit with 100 samples and "
                                  "count how many of the top 5 stay.")
                  for o in KEPT if o != _word(kept())])
