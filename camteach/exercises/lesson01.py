"""Exercises on CNN features, on an earlier layer than the lesson's: stride, ReLU zeros, a detector.

``q1, q2, q3, q4 = lesson01.bind(F4=F4, probe=probe, probe_F=probe_F)``;
``help(lesson01.bind)`` shows what to bind.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

import camteach as ct
from camteach import checks

from .checking import Choice, Exercise, Index, Numbers, Sheet


def bind(F4, probe: Any, probe_F, part: str = "wheel"
         ) -> tuple[Exercise, Exercise, Exercise, Exercise]:
    """Bind the exercises to an earlier layer's feature maps of the lesson's probe scenes.

    Parameters
    ----------
    F4 : array-like, (N, h, w, C)
        Feature maps of an earlier layer (``conv4_b_relu``, 14x14x128) of the
        probe scenes: the layer the exercises ask about.
    probe : Scenes (or anything with ``.images`` (N, H, W, 3) and ``.parts``)
        The probe scenes (``ct.make_scenes(64, seed=2)``), with part masks.
    probe_F : array-like, (N, h', w', C')
        The last feature maps of the same scenes (the lesson's ``probe_F``):
        answers copied from the lesson's layer get a message saying so.
    part : str
        The part of q3 ("wheel").

    Returns
    -------
    q1, q2, q3, q4 : Exercise
        q1 ``stride``: how many image pixels apart neighbouring cells of F4
        are. q2 ``zero_share``: the fraction of F4 that is exactly zero. q3
        ``channel``: the channel of F4 that detects ``part`` by network
        dissection. q4 ``meaning`` (concept): what a 0 in one cell says.
    """
    F4 = checks.numeric_array(F4, "F4", (None,) * 4)
    images = checks.numeric_array(probe.images, "probe.images", (len(F4), None, None, None),
                                  dtype=None)
    probe_F = checks.numeric_array(probe_F, "probe_F", (len(F4), None, None, None))
    if part not in probe.parts:
        raise ValueError(f"probe.parts: expected masks for {part!r}, got {sorted(probe.parts)}")
    mask = checks.numeric_array(probe.parts[part], f"probe.parts[{part!r}]", images.shape[:3],
                                dtype=bool)
    sheet = Sheet(F4=F4, probe=probe, probe_F=probe_F)
    _ask_stride(sheet, F4, images, probe_F)
    _ask_zero_share(sheet, F4, probe_F)
    _ask_detector(sheet, F4, probe, probe_F, mask, part)
    _ask_meaning(sheet)
    return tuple(sheet.exercises)


def _ask_stride(sheet: Sheet, F4: np.ndarray, images: np.ndarray, probe_F: np.ndarray) -> None:
    """q1 ``stride``: how many pixels apart neighbouring cells of F4 are."""
    n, h, w, channels = F4.shape
    size = images.shape[1]
    stride = size / h
    sheet.add(
        question=f"Neighbouring cells of the {h}x{w} maps F4 are how many pixels apart in the "
                 f"{size}x{images.shape[2]} image (the layer's stride)?",
        var="stride", code="stride = probe.images.shape[1] / F4.shape[1]",
        answer=lambda: stride, kind=Numbers(rtol=1e-6),
        why=f"the cells of F4 are {stride:g} px apart, those of the last layer "
            f"{size / probe_F.shape[1]:g} px: the deeper the layer, the coarser its grid. "
            f"Each cell still sees a wider window (its receptive field) than that spacing.",
        hints=("Compare the sizes of one side: the image's height and F4's.",
               "probe.images is (N, H, W, 3) and F4 (N, h, w, C): divide H by h."),
        mistakes=[
            (lambda: size / probe_F.shape[1],
             f"that is the spacing of the last layer's {probe_F.shape[1]}x{probe_F.shape[1]} "
             f"cells (the lesson's F); F4 is an earlier, finer layer: use its own size."),
            (lambda: stride ** 2, "that is the ratio of the *areas*; the question asks per "
                                  "side."),
            (lambda: 1 / stride, "that is the inverse (less than 1): divide the image's side "
                                 "by the map's."),
            (lambda: size / n, "F4.shape[0] is the number of images (the batch axis); F4 is "
                               "(N, h, w, C), so the map's height is F4.shape[1]."),
            (lambda: channels / images.shape[3],
             "that compares the channels (features grow); the question is about the sides "
             "(the image shrinks)."),
        ])


def _ask_zero_share(sheet: Sheet, F4: np.ndarray, probe_F: np.ndarray) -> None:
    """q2 ``zero_share``: the fraction of F4 that is exactly zero."""
    zero_share = float(np.mean(F4 == 0))
    sheet.add(
        question="What fraction of all the values in F4 is exactly zero?",
        var="zero_share", code="zero_share = np.mean(F4 == 0)",
        answer=lambda: zero_share, kind=Numbers(rtol=1e-6, scale=1.0),
        why=f"{zero_share:.0%} of F4 is exactly 0 and none of it is negative: this layer ends "
            f"with a ReLU too, so each value says 'found here (> 0)' or 'not here (0)'.",
        hints=("`F4 == 0` is a True/False array; the mean of True/False values is the share "
               "of True.",
               "Take the mean over *all* of F4 (every image, position and channel)."),
        mistakes=[
            (lambda: 100 * zero_share, "that is a percentage; give a fraction between 0 and 1."),
            (lambda: 1 - zero_share, "that is the share of *non-zero* (positive) values."),
            (lambda: np.sum(F4 == 0), "that is the *number* of zeros; divide by F4.size for a "
                                      "fraction."),
            (lambda: np.mean(F4 < 0), "no value is negative after a ReLU: count the values "
                                      "*equal* to zero."),
            (lambda: np.mean(F4[0] == 0), "that is image 0 only; use all of F4."),
            (lambda: np.mean(probe_F == 0), "that is the last layer (probe_F, the lesson's "
                                            "layer); the question is about F4."),
        ])


def _ask_detector(sheet: Sheet, F4: np.ndarray, probe: Any, probe_F: np.ndarray,
                  mask: np.ndarray, part: str) -> None:
    """q3 ``channel``: the channel of F4 that detects ``part`` (network dissection)."""
    channels = F4.shape[3]

    @cache
    def dissection(layer: str):
        return ct.dissect(F4 if layer == "F4" else probe_F, {part: mask})

    sheet.add(
        question=f"Which channel of F4 is the best '{part}' detector by network dissection "
                 f"(ct.dissect: the channel whose firing overlaps the {part}s best, by IoU)?",
        var="channel",
        code=f'channel = ct.dissect(F4, {{"{part}": probe.parts["{part}"]}}).channel[0]',
        answer=lambda: dissection("F4").channel[0], kind=Index(channels, "channel"),
        why=lambda: (f"channel {dissection('F4').channel[0]} of F4 overlaps the {part}s with "
                     f"IoU {dissection('F4').iou[0]:.2f}, against "
                     f"{dissection('probe_F').iou[0]:.2f} for the best channel of the last "
                     f"layer: a small part gets a real detector where the grid is fine enough "
                     f"to draw it."),
        hints=("ct.dissect(maps, masks) takes a dict {part name: masks} and returns, per part, "
               "the best channel (.channel) and its IoU (.iou).",
               f'Pass F4 and {{"{part}": probe.parts["{part}"]}}, and take .channel[0].'),
        mistakes=[
            (lambda: dissection("probe_F").channel[0],
             f"that is the best {part} channel of the *last* layer (the lesson's table, "
             f"probe_F); F4 is another layer with its own channels: dissect F4."),
            (lambda: np.argmax(F4.mean(axis=(0, 1, 2))),
             "that channel fires most on average over the whole images, wherever the "
             f"{part}s are; a detector fires *on* the {part}s (ct.dissect)."),
            (lambda: ct.dissect(F4, dict(probe.parts)).channel[0],
             f"that is the detector of the first part in probe.parts "
             f"('{next(iter(probe.parts))}'); pass only the {part} masks, "
             f'{{"{part}": probe.parts["{part}"]}}, or take the {part}\'s row.'),
            (lambda: np.argmax(F4), "np.argmax(F4) without an axis is a position in the "
                                    "flattened F4, not a channel."),
        ])


def _ask_meaning(sheet: Sheet) -> None:
    """q4 ``meaning`` (concept): what a 0 in one cell of the last feature maps says."""
    sheet.add(
        question="Concept: after the last ReLU, `F[n, i, j, k] == 0`. What does it say? "
                 "'here': feature k found nothing (or too little) in the window that cell "
                 "(i, j) sees; 'nowhere': feature k's thing is absent from the whole image; "
                 "'against': the thing is there but argues against the class.",
        var="meaning", code='meaning = "here"   # one cell speaks for the window it sees',
        answer=lambda: "here", kind=Choice(("here", "nowhere", "against")),
        why="a 0 is a local 'not found here'. Whether the thing is anywhere is what pooling "
            "asks (lesson 02), and whether it counts for or against a class is what the "
            "last layer's weights say (lesson 03).",
        hints=("One number F[n, i, j, k] comes from one position (i, j) of one image.",
               "'nowhere' would need every one of the 7x7 cells to be 0."),
        mistakes=[
            (lambda: "nowhere", "one cell speaks only for the window it sees: the thing may "
                                "be found in another cell. 'Absent everywhere' is what a "
                                "*pooled* value of 0 says (lesson 02)."),
            (lambda: "against", "features are >= 0 and know no classes: 'for' or 'against' "
                                "a class comes from the signs of the last layer's weights "
                                "(lesson 03)."),
        ])

