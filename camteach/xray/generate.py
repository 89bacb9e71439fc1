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
from .phantoms import FINDINGS, render, sample_phantom
from .vinbigdata import CLASS_NAMES, COLUMNS, NO_FINDING, SIZE, XrayData, assemble


def phantom(seed: int, index: int, photometric: str | None = None, bits: int | None = None,
            scale: float = 1.0):
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

    Returns
    -------
    image_id : str
    stored : numpy.ndarray, uint16, (H, W)
    ds : pydicom.dataset.Dataset
    rows : list of (rad_id, class id, box (4,) or None)
        One per reader's box, class 14 and no box when a reader marked nothing.
    truth : list of (class id, box)
        What was drawn.
    """
    anatomy, shape, rng = sample_phantom(seed, index)
    shape = (max(int(shape[0] * scale), 32), max(int(shape[1] * scale), 32))
    m, truth = render(anatomy, shape, rng, detail=min(1.0, 0.5 / scale))
    stored, ds = dicom.encode(m, rng, photometric, bits)
    rows = [(rad, NO_FINDING if cid is None else cid, box)
            for rad, cid, box in readers.read(truth, shape, rng)]
    return dicom.image_id(seed, index), stored, ds, rows, truth


def make_phantoms(n: int, out_dir, seed: int = 0, *, photometric: str | None = None,
                  bits: int | None = None) -> Path:
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

    Returns
    -------
    Path
        ``out_dir``, ready for :func:`camteach.xray.load`.
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n: expected a positive integer, got {n!r}")
    out = Path(out_dir)
    (out / "train").mkdir(parents=True, exist_ok=True)
    with open(out / "train.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(n):
            image_id, stored, ds, rows, _ = phantom(seed, i, photometric, bits)
            dicom.write(out / "train" / f"{image_id}.dicom", stored, ds, image_id)
            for rad, cid, box in rows:
                coords = [""] * 4 if box is None else [f"{v:.1f}" for v in box]
                writer.writerow([image_id, CLASS_NAMES[cid], cid, rad, *coords])
    return out


def phantom_data(n: int, seed: int = 0, size: int = SIZE, *, start: int = 0,
                 scale: float = 0.5, iou: float = 0.1, votes: int = 2) -> XrayData:
    """``n`` phantoms decoded in memory, as :func:`camteach.xray.load` returns them.

    No files are written: for training and tests. ``scale=1.0`` gives exactly
    what ``make_phantoms`` then ``load`` give; 0.5 (the default) draws them at
    half size first, four times faster, for the same 224-pixel images.
    """
    records = []
    for i in range(start, start + n):
        image_id, stored, ds, rows, _ = phantom(seed, i, scale=scale)
        numbered = [(0, rad, cid, box) for rad, cid, box in rows]
        records.append((image_id, dicom.to_display(stored, ds), ds, numbered))
    return assemble(records, size, tuple(sorted(FINDINGS)), Counter(), iou=iou, votes=votes)
