"""Seventeen radiologists who read the phantoms, and how their boxes are fused.

VinBigData had each training image read independently by 3 of 17
radiologists (``R1`` ... ``R17``), a few of whom read most images. Real readers
disagree: they draw the same finding with different margins, miss one now and
then, and call the odd nodule that is not there. Each phantom reader has a
fixed miss rate, box jitter and false-call rate (:data:`READERS`).

Fusion rule (:func:`fuse`): for each finding, boxes from different readers that
overlap (IoU >= ``iou``, 0.1 by default) are grouped; a group marked by at
least ``votes`` (2) of the image's readers is a fused finding, whose box is the
mean of the group's boxes (coordinate by coordinate). A finding is present in
an image (its label is 1) when it has at least one fused box: two of three
readers agree on it, at roughly the same place.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..metrics import box_iou


class Reader(NamedTuple):
    rad_id: str
    miss: float          # probability of missing a finding
    jitter: float        # s.d. of each box edge, as a fraction of the box's size
    false_call: float    # probability of calling a nodule that is not there
    weight: float        # how often this reader is one of an image's three


def _readers() -> tuple[Reader, ...]:
    rng = np.random.default_rng(17)
    busy = {8, 9, 10}                                        # as in VinBigData, 3 read most images
    return tuple(Reader(f"R{i}", float(rng.uniform(0.02, 0.12)), float(rng.uniform(0.04, 0.12)),
                        float(rng.uniform(0.0, 0.04)), 6.0 if i in busy else 1.0)
                 for i in range(1, 18))


READERS = _readers()


class ReaderBox(NamedTuple):
    """One radiologist's box: who drew it, the finding's index, ``(x0, y0, x1, y1)`` px."""

    rad_id: str
    finding: int
    box: np.ndarray


class FusedBox(NamedTuple):
    """A finding the readers agree on: its index, mean box, and who marked it."""

    finding: int
    box: np.ndarray
    readers: tuple[str, ...]


def choose_readers(rng: np.random.Generator, k: int = 3) -> list[Reader]:
    """``k`` distinct readers, the busy ones more often."""
    weights = np.array([r.weight for r in READERS])
    picked = rng.choice(len(READERS), size=k, replace=False, p=weights / weights.sum())
    return [READERS[i] for i in sorted(picked)]


def read(truth: list[tuple[int, np.ndarray]], shape: tuple[int, int], rng: np.random.Generator,
         nodule_class: int = 8) -> list[tuple[str, int | None, np.ndarray | None]]:
    """Three readers' marks on one image.

    Parameters
    ----------
    truth : list of (class id, box (4,))
        The drawn findings, boxes in pixels.
    shape : (H, W)
        The image's size (boxes are kept inside it).
    rng : numpy.random.Generator

    Returns
    -------
    list of (rad_id, class id or None, box or None)
        None, None: the reader marked nothing ("No finding").
    """
    H, W = shape
    rows = []
    for reader in choose_readers(rng):
        marks = []
        for cid, box in truth:
            if rng.random() < reader.miss:
                continue
            size = np.array([box[2] - box[0], box[3] - box[1]] * 2)
            moved = box + rng.normal(0, reader.jitter, 4) * size + rng.normal(0, 2, 4)
            marks.append((cid, _inside(moved, H, W)))
        if rng.random() < reader.false_call:
            r = rng.uniform(0.02, 0.04) * W
            cx, cy = rng.uniform(0.25, 0.75) * W, rng.uniform(0.25, 0.6) * H
            marks.append((nodule_class, _inside(np.array([cx - r, cy - r, cx + r, cy + r]), H, W)))
        rows += [(reader.rad_id, cid, box) for cid, box in marks] or [(reader.rad_id, None, None)]
    return rows


def _inside(box: np.ndarray, H: int, W: int) -> np.ndarray:
    x0, x1 = np.clip(sorted(box[[0, 2]]), 0, W)
    y0, y1 = np.clip(sorted(box[[1, 3]]), 0, H)
    x1, y1 = max(x1, min(x0 + 2, W)), max(y1, min(y0 + 2, H))
    return np.round(np.array([x0, y0, x1, y1]), 1)


def fuse(boxes, num_findings: int, iou: float = 0.1, votes: int = 2) -> list[FusedBox]:
    """Fuse the readers' boxes of one image (rule in the module docstring).

    Parameters
    ----------
    boxes : sequence of ReaderBox
    num_findings : int
        K, the number of findings (indices 0..K-1).
    iou : float
        The overlap that puts two readers' boxes in one group.
    votes : int
        Readers needed for a fused finding.

    Returns
    -------
    list of FusedBox, by finding index
    """
    fused = []
    for k in range(num_findings):
        groups: list[list[ReaderBox]] = []
        for b in sorted((b for b in boxes if b.finding == k), key=lambda b: b.rad_id):
            for group in groups:
                mean = np.mean([g.box for g in group], axis=0)
                if b.rad_id not in {g.rad_id for g in group} and box_iou(mean, b.box) >= iou:
                    group.append(b)
                    break
            else:
                groups.append([b])
        for group in groups:
            if len({g.rad_id for g in group}) >= votes:
                fused.append(FusedBox(k, np.mean([g.box for g in group], axis=0),
                                      tuple(g.rad_id for g in group)))
    return fused


def agreement(boxes) -> list[float]:
    """IoU of every pair of readers who marked the same finding (best-matching boxes).

    The ceiling any explanation's box can be compared with: how well the
    radiologists agree with each other.
    """
    out = []
    by_reader: dict[tuple[str, int], list[np.ndarray]] = {}
    for b in boxes:
        by_reader.setdefault((b.rad_id, b.finding), []).append(b.box)
    keys = sorted(by_reader)
    for i, (ra, fa) in enumerate(keys):
        for rb, fb in keys[i + 1:]:
            if fa == fb and ra != rb:
                out.append(max(float(box_iou(p, q)) for p in by_reader[ra, fa]
                               for q in by_reader[rb, fb]))
    return out
