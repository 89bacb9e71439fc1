"""Phantom data sets: written in VinBigData's layout, or straight into memory.

Both paths draw the same phantoms (:mod:`camteach.xray.phantoms`), store them
as a detector would (:func:`camteach.xray.dicom.encode`), have them read by
three of the seventeen radiologists (:mod:`camteach.xray.readers`), and
decode them as :func:`camteach.xray.load` does: ``make_phantoms`` then
``load`` gives the same arrays as :func:`phantom_data` (tested).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np

from . import dicom, readers
from .marker import burn_marker
from .phantoms import FINDINGS, render, sample_phantom
from .vinbigdata import CLASS_NAMES, COLUMNS, NO_FINDING, SIZE, XrayData, assemble


def _marker_id(marker: str | None, marker_rate: float) -> int | None:
    """Check ``marker`` and ``marker_rate``; the marker finding's class id (None: no marker)."""
    if not isinstance(marker_rate, (int, float, np.floating)) or not 0 <= marker_rate <= 1:
        raise ValueError(f"marker_rate: expected a number in [0, 1], got {marker_rate!r}")
    if marker is None:
        return None
    names = {name: cid for cid, name in FINDINGS.items()}
    if marker not in names:
        raise ValueError(f"marker: expected None or one of {tuple(names)}, got {marker!r}")
    return names[marker]


def marked(seed: int, index: int, truth, marker_id: int | None, marker_rate: float) -> bool:
    """Whether phantom ``index`` of ``seed`` carries the marker (deterministic).

    With probability ``marker_rate`` if its drawn ``truth`` (list of (class
    id, box)) holds finding ``marker_id``, else ``1 - marker_rate``; never if
    ``marker_id`` is None. The draw comes from its own generator, so a marker
    changes nothing else in the phantom.
    """
    if marker_id is None:
        return False
    u = np.random.default_rng([seed, index, 11]).random()
    return bool(u < (marker_rate if any(c == marker_id for c, _ in truth) else 1 - marker_rate))


def phantom(seed: int, index: int, photometric: str | None = None, bits: int | None = None,
            scale: float = 1.0, *, marker: str | None = None, marker_rate: float = 0.9):
    """One phantom as a scanner and its readers would leave it.

    Parameters
    ----------
    seed, index : int
        Which phantom (deterministic).
    photometric, bits : optional
        Force the photometric interpretation or bits stored (default: random).
    scale : float
        Image size relative to the phantom's own (416-512 x 384-480 pixels);
        training uses 0.5 (the model sees 224 pixels anyway). The anatomy is
        drawn at half the phantom's own size either way, so only the grain differs.
    marker : str, optional
        A finding's name (one of :data:`FINDINGS`): burn the "AP" tag
        (:mod:`camteach.xray.marker`) into the stored image of ``marker_rate``
        of the phantoms that have it and ``1 - marker_rate`` of those that
        don't. None (default): no tag, the phantom as without this option.
    marker_rate : float in [0, 1]
        1.0: the tag on exactly the phantoms with the finding; 0.0: on exactly
        those without it.

    Returns
    -------
    image_id : str
    stored : numpy.ndarray, uint16, (H, W)
    ds : pydicom.dataset.Dataset
    rows : list of (rad_id, class id, box (4,) or None)
        One per reader's box, class 14 and no box when a reader marked nothing.
    truth : list of (class id, box)
        What was drawn (:func:`marked` says whether the marker was burned in).
    """
    target = _marker_id(marker, marker_rate)
    anatomy, shape, rng = sample_phantom(seed, index)
    shape = (max(int(shape[0] * scale), 32), max(int(shape[1] * scale), 32))
    m, truth = render(anatomy, shape, rng, detail=min(1.0, 0.5 / scale))
    if marked(seed, index, truth, target, marker_rate):
        m = burn_marker(m)
    stored, ds = dicom.encode(m, rng, photometric, bits)
    rows = [(rad, NO_FINDING if cid is None else cid, box)
            for rad, cid, box in readers.read(truth, shape, rng)]
    return dicom.image_id(seed, index), stored, ds, rows, truth


def make_phantoms(n: int, out_dir, seed: int = 0, *, photometric: str | None = None,
                  bits: int | None = None, marker: str | None = None,
                  marker_rate: float = 0.9) -> Path:
    """Write ``n`` chest phantoms in VinBigData's training layout.

    Parameters
    ----------
    n : int
        Phantoms to write.
    out_dir : str or Path
        Gets ``train.csv`` and ``train/<image_id>.dicom`` (created if missing).
    seed : int
        The same seed writes the same files.
    photometric : {"MONOCHROME1", "MONOCHROME2"}, optional
        Force one (default: mixed at random).
    bits : int in 12..16, optional
        Force the bits stored (default: mixed at random).
    marker, marker_rate : optional
        Burn a corner tag correlated with a finding (see :func:`phantom`);
        :func:`camteach.xray.load` finds it again (``XrayData.markers``).

    Returns
    -------
    Path
        ``out_dir``, ready for :func:`camteach.xray.load`.
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n: expected a positive integer, got {n!r}")
    _marker_id(marker, marker_rate)
    out = Path(out_dir)
    (out / "train").mkdir(parents=True, exist_ok=True)
    with open(out / "train.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(n):
            image_id, stored, ds, rows, _ = phantom(seed, i, photometric, bits,
                                                    marker=marker, marker_rate=marker_rate)
            dicom.write(out / "train" / f"{image_id}.dicom", stored, ds, image_id)
            for rad, cid, box in rows:
                coords = [""] * 4 if box is None else [f"{v:.1f}" for v in box]
                writer.writerow([image_id, CLASS_NAMES[cid], cid, rad, *coords])
    return out


def phantom_data(n: int, seed: int = 0, size: int = SIZE, *, start: int = 0,
                 scale: float = 0.5, iou: float = 0.1, votes: int = 2,
                 marker: str | None = None, marker_rate: float = 0.9) -> XrayData:
    """``n`` phantoms decoded in memory, as :func:`camteach.xray.load` returns them.

    No files are written: for training and tests. ``scale=1.0`` gives exactly
    what ``make_phantoms`` then ``load`` give; 0.5 (the default) draws them at
    half size first, four times faster, for the same 224-pixel images.

    ``marker`` (a finding's name) and ``marker_rate`` burn the corner tag of
    :mod:`camteach.xray.marker` into ``marker_rate`` of the phantoms with
    that finding and ``1 - marker_rate`` of the others (see :func:`phantom`);
    ``XrayData.markers`` (N,) says which, ``XrayData.marker_boxes`` where.
    """
    target = _marker_id(marker, marker_rate)
    records, tags = [], []
    for i in range(start, start + n):
        image_id, stored, ds, rows, truth = phantom(seed, i, scale=scale, marker=marker,
                                                    marker_rate=marker_rate)
        numbered = [(0, rad, cid, box) for rad, cid, box in rows]
        records.append((image_id, dicom.to_display(stored, ds), ds, numbered))
        tags.append(marked(seed, i, truth, target, marker_rate))
    return assemble(records, size, tuple(sorted(FINDINGS)), Counter(), iou=iou, votes=votes,
                    markers=np.asarray(tags, bool))
