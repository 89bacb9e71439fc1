"""VinBigData's chest X-ray training layout, read right.

The layout (Kaggle, "VinBigData Chest X-ray Abnormalities Detection")::

    root/train.csv                 image_id, class_name, class_id, rad_id,
                                   x_min, y_min, x_max, y_max
    root/train/<image_id>.dicom    one radiograph each

Each image was read by 3 of 17 radiologists (``R1`` ... ``R17``); every box
is one row; a reader who saw nothing wrote one row of class 14 "No finding"
with empty box columns. :func:`load` reads the DICOM files with pydicom
(VOI LUT applied, MONOCHROME1 inverted, any bit depth; see
:mod:`camteach.xray.dicom`), resizes them for the course's X-ray model with
the boxes rescaled, and fuses the readers' boxes (rule in
:mod:`camteach.xray.readers`).

Using the real data set: download it from Kaggle (an account and the
competition's rules are needed; about 200 GB), unpack it so that
``train.csv`` and ``train/`` sit in one folder, and either pass that folder as
``root`` or set the environment variable ``CAMTEACH_VINBIGDATA`` to it
(lesson 10 then runs on it). Load a subset with ``limit=`` (15,000 full-size
radiographs of about 3000x2500 pixels take hours to decode). Files in a
compressed transfer syntax need pydicom's optional decoders
(``pip install pylibjpeg pylibjpeg-libjpeg pylibjpeg-openjpeg``); an image
that cannot be decoded is an error naming the file.
"""

from __future__ import annotations

import csv
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from skimage.transform import resize

from . import dicom, readers
from .phantoms import FINDINGS
from .readers import FusedBox, ReaderBox

#: VinBigData's classes, by class id (14: "No finding", an empty box).
CLASS_NAMES = ("Aortic enlargement", "Atelectasis", "Calcification", "Cardiomegaly",
               "Consolidation", "ILD", "Infiltration", "Lung Opacity", "Nodule/Mass",
               "Other lesion", "Pleural effusion", "Pleural thickening", "Pneumothorax",
               "Pulmonary fibrosis", "No finding")
NO_FINDING = 14
COLUMNS = ("image_id", "class_name", "class_id", "rad_id", "x_min", "y_min", "x_max", "y_max")
#: The environment variable naming a real VinBigData folder.
ENV = "CAMTEACH_VINBIGDATA"
#: The course X-ray model's input size.
SIZE = 224
ERRORS = ("raise", "skip")


@dataclass(frozen=True)
class XrayData:
    """Radiographs with their readers' boxes, ready for the course's X-ray model.

    Attributes
    ----------
    images : numpy.ndarray, float32, (N, S, S, 1)
        In [0, 1], bone white (VOI LUT applied, MONOCHROME1 inverted), resized.
    labels : numpy.ndarray, uint8, (N, K)
        1 where the finding has a fused box; columns in class-id order, as the
        model's outputs.
    findings : tuple of K str
        The findings' names (``class_ids`` their VinBigData ids).
    class_ids : tuple of K int
    image_ids : tuple of N str
    readers : tuple of N tuples of str
        Who read each image.
    reader_boxes : tuple of N tuples of ReaderBox
        Every reader's boxes, in pixels of the resized image.
    boxes : tuple of N tuples of FusedBox
        The fused boxes (see :func:`camteach.xray.readers.fuse`).
    no_finding : numpy.ndarray, bool, (N,)
        Most readers wrote "No finding" (a class of its own in VinBigData).
    shapes : numpy.ndarray, int, (N, 2)
        Each radiograph's stored (rows, columns).
    photometric : tuple of N str
    bits : numpy.ndarray, int, (N,)
        Bits stored.
    skipped : dict str -> int
        What was not loaded, and why (nothing is dropped silently).
    markers : numpy.ndarray, bool, (N,)
        The image carries the course's burned-in "AP" corner tag
        (:mod:`camteach.xray.marker`): known for in-memory phantoms, found by
        template matching for loaded files. ``marker_boxes`` says where.
    """

    images: np.ndarray
    labels: np.ndarray
    findings: tuple[str, ...]
    class_ids: tuple[int, ...]
    image_ids: tuple[str, ...]
    readers: tuple[tuple[str, ...], ...]
    reader_boxes: tuple[tuple[ReaderBox, ...], ...]
    boxes: tuple[tuple[FusedBox, ...], ...]
    no_finding: np.ndarray
    shapes: np.ndarray
    photometric: tuple[str, ...]
    bits: np.ndarray
    skipped: dict = field(default_factory=dict)
    markers: np.ndarray | None = None

    def __post_init__(self):
        if self.markers is None:
            object.__setattr__(self, "markers", np.zeros(len(self.images), bool))

    @property
    def marker_boxes(self) -> np.ndarray:
        """(N, 4) float: the tag's box (x0, y0, x1, y1) in pixels where ``markers``, else NaN."""
        from .marker import marker_box
        boxes = np.full((len(self.images), 4), np.nan)
        boxes[self.markers] = marker_box(self.images.shape[1])
        return boxes

    def __len__(self) -> int:
        return len(self.images)

    def box_masks(self, pairs) -> np.ndarray:
        """Masks (M, S, S) of the fused boxes of (image, finding index) pairs (their union)."""
        S = self.images.shape[1]
        masks = np.zeros((len(pairs), S, S), dtype=bool)
        for m, (i, k) in enumerate(pairs):
            for b in self.boxes[i]:
                if b.finding == k:
                    x0, y0, x1, y1 = np.round(b.box).astype(int)
                    masks[m, max(y0, 0):y1, max(x0, 0):x1] = True
        return masks


def default_root() -> Path | None:
    """The real data set's folder from ``$CAMTEACH_VINBIGDATA``, or None when unset."""
    value = os.environ.get(ENV)
    return Path(value) if value else None


def _problem(errors: str, skipped: Counter, reason: str, message: str, kind=ValueError) -> None:
    if errors == "raise":
        raise kind(message)
    skipped[reason] += 1


def read_rows(csv_path: Path, errors: str = "raise", skipped: Counter | None = None
              ) -> dict[str, list[tuple[int, str, int, np.ndarray | None]]]:
    """Parse and check ``train.csv``: image id -> [(row number, rad_id, class id, box)].

    Row numbers count the header as row 1 (as a spreadsheet shows them).
    """
    skipped = Counter() if skipped is None else skipped
    rows: dict[str, list] = {}
    with open(csv_path, newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{csv_path}: expected the columns {', '.join(COLUMNS)}; "
                             f"missing {', '.join(missing)} (found {reader.fieldnames})")
        for number, row in enumerate(reader, start=2):
            parsed, why = _parse(row)
            if why is not None:
                _problem(errors, skipped, "bad rows in train.csv",
                         f"{csv_path}: row {number}: {why}")
                continue
            rows.setdefault(parsed[0], []).append((number, *parsed[1:]))
    return rows


def _parse(row: dict) -> tuple[tuple | None, str | None]:
    image_id, rad_id = (row["image_id"] or "").strip(), (row["rad_id"] or "").strip()
    if not image_id:
        return None, "empty image_id"
    if not re.fullmatch(r"R\d+", rad_id):
        return None, f"rad_id: expected R1 ... R17, got {rad_id!r}"
    try:
        cid = int(float(row["class_id"]))
    except (TypeError, ValueError):
        return None, f"class_id: expected an integer 0-14, got {row['class_id']!r}"
    if not 0 <= cid <= NO_FINDING:
        return None, f"class_id: expected an integer 0-14, got {cid}"
    name = (row["class_name"] or "").strip()
    if name.lower() != CLASS_NAMES[cid].lower():
        return None, f"class_name {name!r} does not match class_id {cid} ({CLASS_NAMES[cid]!r})"
    values = [(row[c] or "").strip() for c in COLUMNS[4:]]
    if cid == NO_FINDING:
        if any(v and v.lower() != "nan" for v in values):
            return None, "a 'No finding' row must have empty x_min, y_min, x_max, y_max"
        return (image_id, rad_id, cid, None), None
    try:
        box = np.array([float(v) for v in values])
    except ValueError:
        return None, f"x_min, y_min, x_max, y_max: expected numbers, got {values}"
    if not np.all(np.isfinite(box)) or box.min() < 0 or box[2] <= box[0] or box[3] <= box[1]:
        return None, f"box {values}: expected 0 <= x_min < x_max and 0 <= y_min < y_max"
    return (image_id, rad_id, cid, box), None


def assemble(records, size: int, class_ids: tuple[int, ...], skipped: Counter,
             iou: float = 0.1, votes: int = 2, markers: np.ndarray | None = None) -> XrayData:
    """Build :class:`XrayData` from (image_id, display (H, W) in [0, 1], ds, rows) records.

    ``rows`` are (row number, rad_id, class id, box or None) in the stored pixels.
    Shared by :func:`load` and the in-memory phantoms, so both give the same arrays.
    ``markers`` (N,) bool: which carry the corner tag (default: found by template matching).
    """
    from .marker import has_marker
    index = {cid: k for k, cid in enumerate(class_ids)}
    images, labels, ids, who, marks, fused, nothing, shapes, photometric, bits = ([] for _ in range(10))
    for image_id, display, ds, rows in records:
        H, W = display.shape
        scale = np.array([size / W, size / H, size / W, size / H])
        boxes = tuple(ReaderBox(rad, index[cid], box * scale) for _, rad, cid, box in rows
                      if cid in index)
        skipped["rows of findings not loaded"] += sum(
            1 for _, _, cid, _ in rows if cid != NO_FINDING and cid not in index)
        group = readers.fuse(boxes, len(class_ids), iou=iou, votes=votes)
        row_readers = sorted({rad for _, rad, _, _ in rows}, key=lambda r: int(r[1:]))
        saw_nothing = {rad for _, rad, cid, _ in rows if cid == NO_FINDING}
        label = np.zeros(len(class_ids), np.uint8)
        label[[b.finding for b in group]] = 1
        images.append(resize(display, (size, size), order=1, anti_aliasing=True,
                             preserve_range=True).astype(np.float32))
        labels.append(label)
        ids.append(image_id)
        who.append(tuple(row_readers))
        marks.append(boxes)
        fused.append(tuple(group))
        nothing.append(2 * len(saw_nothing) > len(row_readers))
        shapes.append((H, W))
        photometric.append(str(ds.get("PhotometricInterpretation", "")))
        bits.append(int(ds.get("BitsStored", 0)))
    K = len(class_ids)
    images = np.asarray(images, np.float32).reshape(-1, size, size, 1)
    return XrayData(
        images=images,
        labels=np.asarray(labels, np.uint8).reshape(-1, K), findings=tuple(CLASS_NAMES[c] for c in class_ids),
        class_ids=tuple(class_ids), image_ids=tuple(ids), readers=tuple(who), reader_boxes=tuple(marks),
        boxes=tuple(fused), no_finding=np.asarray(nothing, bool), shapes=np.asarray(shapes, int).reshape(-1, 2),
        photometric=tuple(photometric), bits=np.asarray(bits, int),
        skipped={reason: count for reason, count in skipped.items() if count},
        markers=has_marker(images) if markers is None else np.asarray(markers, bool))


def load(root=None, size: int = SIZE, *, findings=None, limit: int | None = None,
         errors: str = "raise", voi: bool = True, invert: bool = True, iou: float = 0.1,
         votes: int = 2) -> XrayData:
    """Load VinBigData's training layout (the real data set or phantoms).

    Parameters
    ----------
    root : str or Path, optional
        The folder holding ``train.csv`` and ``train/`` (default:
        ``$CAMTEACH_VINBIGDATA``). See the module docstring for the download.
    size : int
        Side of the square images (default 224, the X-ray model's input);
        boxes are rescaled by the same factors (x by size / W, y by size / H).
    findings : sequence of int, optional
        VinBigData class ids to load, in that order (default: the six the
        phantoms draw and the X-ray model predicts; ``range(14)``: all).
    limit : int, optional
        Load only the first ``limit`` images of ``train.csv``.
    errors : {"raise", "skip"}
        "raise": a bad row or a missing or unreadable file is an error naming
        the file (and the row); "skip": leave it out and count it in
        ``skipped``.
    voi, invert : bool
        Apply the VOI LUT; invert MONOCHROME1 (False only to show the mistake).
    iou, votes : float, int
        The fusion rule's overlap and number of readers (see
        :func:`camteach.xray.readers.fuse`).

    Returns
    -------
    XrayData
        Images (N, size, size, 1) in [0, 1], labels (N, K), findings, each
        reader's boxes, fused boxes, and ``skipped``: reason -> count.
    """
    if errors not in ERRORS:
        raise ValueError(f"errors: expected one of {ERRORS}, got {errors!r}")
    if root is None:
        root = default_root()
        if root is None:
            raise ValueError(f"root: expected the folder of VinBigData's train.csv and train/, "
                             f"or ${ENV} set to it; got neither")
    root = Path(root)
    if not isinstance(size, (int, np.integer)) or size < 8:
        raise ValueError(f"size: expected an integer >= 8, got {size!r}")
    class_ids = tuple(sorted(FINDINGS)) if findings is None else tuple(int(c) for c in findings)
    if not class_ids or any(not 0 <= c < NO_FINDING for c in class_ids) or len(set(class_ids)) < len(class_ids):
        raise ValueError(f"findings: expected distinct class ids 0-13, got {findings!r}")
    csv_path, folder = root / "train.csv", root / "train"
    if not csv_path.is_file():
        raise FileNotFoundError(f"{csv_path}: missing; root must hold VinBigData's train.csv "
                                f"and train/ (see camteach.xray.vinbigdata)")
    skipped: Counter = Counter()
    rows = read_rows(csv_path, errors, skipped)
    ids = list(rows)[:limit] if limit is not None else list(rows)
    if limit is not None:
        skipped["images beyond limit"] += len(rows) - len(ids)
    listed = set(rows)
    if folder.is_dir():
        skipped["DICOM files not in train.csv"] += sum(1 for p in folder.glob("*.dicom")
                                                      if p.stem not in listed)
    records = []
    for image_id in ids:
        path = folder / f"{image_id}.dicom"
        numbers = ", ".join(str(r[0]) for r in rows[image_id][:5])
        if not path.is_file():
            _problem(errors, skipped, "images whose DICOM file is missing",
                     f"{path}: missing (named by {csv_path.name} rows {numbers})", FileNotFoundError)
            continue
        try:
            stored, ds = dicom.read(path)
        except ValueError as error:
            _problem(errors, skipped, "unreadable DICOM files", str(error))
            continue
        H, W = stored.shape
        bad = [r for r in rows[image_id] if r[3] is not None and (r[3][2] > W + 1 or r[3][3] > H + 1)]
        if bad:
            _problem(errors, skipped, "images with boxes outside the image",
                     f"{csv_path}: row {bad[0][0]}: box {bad[0][3].tolist()} lies outside "
                     f"{path.name} ({W}x{H} pixels)")
            continue
        display = dicom.to_display(stored, ds, voi=voi, invert=invert)
        records.append((image_id, display, ds, rows[image_id]))
    return assemble(records, size, class_ids, skipped, iou=iou, votes=votes)
