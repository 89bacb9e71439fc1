"""Exercises on CNN features: the image shrinks, ReLU zeros, a part detector by dissection.

``q1, q2, q3 = lesson01.bind(F=F, images=images, parts=parts)``;
``help(lesson01.bind)`` shows what to bind.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import numpy as np

import camteach as ct
from camteach import checks

from .checking import Exercise, Index, Numbers, Sheet


def bind(F, images, parts: Mapping[str, np.ndarray], part: str = "wheel"
         ) -> tuple[Exercise, Exercise, Exercise]:
    """Bind the exercises to the notebook's features, images and part masks.

    Parameters
    ----------
    F : array-like, (N, h, w, C)
        Feature maps of the images (``ct.features(model, images).F``).
    images : array-like, (N, H, W, 3)
        The images they come from (only their size is used).
    parts : mapping of str -> bool array (N, H, W)
        Part masks of the same images (``scenes.parts``).
    part : str
        The part of q3 ("wheel").

    Returns
    -------
    q1, q2, q3 : Exercise
        q1 ``factor``: how many times smaller per side F's maps are than the
        images (32 for 224 -> 7). q2 ``zero_share``: the fraction of F that is
        exactly zero (after the ReLU). q3 ``channel``: the channel that
        detects ``part`` by network dissection (``ct.dissect``).
    """
    F = checks.numeric_array(F, "F", (None,) * 4)
    images = checks.numeric_array(images, "images", (len(F), None, None, None), dtype=None)
    if part not in parts:
        raise ValueError(f"parts: expected masks for {part!r}, got {sorted(parts)}")
    mask = checks.numeric_array(parts[part], f"parts[{part!r}]", images.shape[:3], dtype=bool)
    sheet = Sheet(F=F, images=images, parts=parts)
    _ask_factor(sheet, F, images)
    _ask_zero_share(sheet, F)
    _ask_detector(sheet, F, mask, part)
    return tuple(sheet.exercises)


def _ask_factor(sheet: Sheet, F: np.ndarray, images: np.ndarray) -> None:
    """q1 ``factor``: how many times smaller per side the maps are than the images."""
    n, h, w, channels = F.shape
    size = images.shape[1]
    factor = size / h
    sheet.add(
        question=f"How many times smaller (per side) is a {h}x{w} feature map than the "
                 f"{size}x{images.shape[2]} image?",
        var="factor", code="factor = images.shape[1] / F.shape[1]",
        answer=lambda: factor, kind=Numbers(rtol=1e-6),
        why=f"each {h}x{w} cell summarises a {factor:g}x{factor:g} patch of the image: a CAM "
            f"can only point that coarsely, which is why it is upsampled before being drawn "
            f"over the image (lesson 05).",
        hints=("Compare the sizes of one side: the image's height and the feature map's.",
               "F is (N, h, w, C) and images (N, H, W, 3): divide H by h."),
        mistakes=[
            (lambda: factor ** 2, f"{factor ** 2:g} is the ratio of the *areas*; the question "
                                  f"asks per side."),
            (lambda: 1 / factor, "that is the inverse: how many times *bigger* the map is "
                                 "(less than 1). Divide the image's side by the map's."),
            (lambda: size / n, "F.shape[0] is the number of images (the batch axis); F is "
                               "(N, h, w, C), so the map's height is F.shape[1]."),
            (lambda: channels / images.shape[3],
             "that compares the channels (features grow); the question is about the sides "
             "(the image shrinks)."),
        ])


def _ask_zero_share(sheet: Sheet, F: np.ndarray) -> None:
    """q2 ``zero_share``: the fraction of F that is exactly zero."""
    zero_share = float(np.mean(F == 0))
    sheet.add(
        question="What fraction of all the values in F is exactly zero?",
        var="zero_share", code="zero_share = np.mean(F == 0)",
        answer=lambda: zero_share, kind=Numbers(rtol=1e-6, scale=1.0),
        why=f"{zero_share:.0%} of F is exactly 0 and none of it is negative: the ReLU clips "
            f"negatives to 0, so a feature says 'found here (> 0)' or 'not here (0)'.",
        hints=("`F == 0` is a True/False array; the mean of True/False values is the share "
               "of True.",
               "Take the mean over *all* of F (every image, position and channel)."),
        mistakes=[
            (lambda: 100 * zero_share, "that is a percentage; give a fraction between 0 and 1."),
            (lambda: 1 - zero_share, "that is the share of *non-zero* (positive) values."),
            (lambda: np.sum(F == 0), "that is the *number* of zeros; divide by F.size for a "
                                     "fraction."),
            (lambda: np.mean(F < 0), "no value is negative after the ReLU: count the values "
                                     "*equal* to zero."),
            (lambda: np.mean(F[0] == 0), "that is image 0 only; use all of F."),
        ])


def _ask_detector(sheet: Sheet, F: np.ndarray, mask: np.ndarray, part: str) -> None:
    """q3 ``channel``: the channel that detects ``part`` (network dissection)."""
    channels = F.shape[3]

    @cache
    def dissection():
        return ct.dissect(F, {part: mask})

    cover = _coverage(mask, *F.shape[1:3])
    sheet.add(
        question=f"Which channel of F is the '{part}' detector, by network dissection "
                 f"(ct.dissect: the channel whose firing overlaps the {part}s best)?",
        var="channel", code=f'channel = ct.dissect(F, {{"{part}": parts["{part}"]}}).channel[0]',
        answer=lambda: dissection().channel[0], kind=Index(channels, "channel"),
        why=lambda: (f"of all {channels} channels, channel {dissection().channel[0]} overlaps "
                     f"the {part}s best (IoU {dissection().iou[0]:.2f}): the network's own "
                     f"'{part} detector', which nobody asked it to learn (the lecture's 'one "
                     f"feature per thing')."),
        hints=("ct.dissect(F, masks) takes a dict {part name: masks} and returns, per part, "
               "the best channel (.channel) and its IoU (.iou).",
               f'Pass {{"{part}": parts["{part}"]}} and take .channel[0].'),
        mistakes=[
            (lambda: np.argmax(F.mean(axis=(0, 1, 2))),
             "that channel fires most on average over the whole images, wherever the "
             f"{part}s are; a detector fires *on* the {part}s (ct.dissect)."),
            (lambda: np.argmax(np.einsum("nhwk,nhw->k", F, cover)),
             f"that channel is strongest on the {part} pixels, but it may be strong "
             "everywhere; dissection asks where it fires *and* where it does not (IoU)."),
            (lambda: np.argmax(F), "np.argmax(F) without an axis is a position in the "
                                   "flattened F, not a channel."),
        ])


def _coverage(masks: np.ndarray, h: int, w: int) -> np.ndarray:
    """The share of each of the h x w cells that masks (N, H, W) cover: (N, h, w)."""
    n, H, W = masks.shape
    rows, cols = np.arange(H) * h // H, np.arange(W) * w // W
    cover = np.zeros((n, h, w))
    np.add.at(cover, (slice(None), rows[:, None], cols[None, :]), masks)
    return cover / np.bincount(rows)[:, None] / np.bincount(cols)[None, :]
