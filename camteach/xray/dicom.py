"""Radiographs in DICOM: storing a phantom as a scanner would, reading any back right.

Reading a radiograph for a network takes three steps, in this order:

1. the stored values (``ds.pixel_array``, 12 to 16 bits, unsigned);
2. the VOI LUT (``pydicom.pixels.apply_voi_lut``): the window the
   radiographer chose (Window Center/Width tags, or a LUT sequence), which
   maps the part of the range holding the anatomy onto the display range;
3. MONOCHROME1 (low values white, as on film) inverted as ``max - x`` so that
   bone is white in every image, as in MONOCHROME2;

then rescaled to [0, 1]. Skipping step 2 squeezes the anatomy into a fraction
of the range; skipping step 3 shows half the data set as negatives.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import apply_voi_lut
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

#: Digital X-Ray Image Storage - For Presentation.
DX_STORAGE = "1.2.840.10008.5.1.4.1.1.1.1"
PHOTOMETRIC = ("MONOCHROME1", "MONOCHROME2")
#: Bits stored the phantoms use (VinBigData's files hold 12 to 16).
BITS = (12, 13, 14, 15, 16)


def encode(m: np.ndarray, rng: np.random.Generator, photometric: str | None = None,
           bits: int | None = None) -> tuple[np.ndarray, Dataset]:
    """Store an attenuation map as a detector would, with its window tags.

    Parameters
    ----------
    m : numpy.ndarray, float, (H, W), in [0, 1]
        Attenuation (1: bone, shown white).
    rng : numpy.random.Generator
        Chooses the range, and ``photometric`` and ``bits`` when they are None.
    photometric : {"MONOCHROME1", "MONOCHROME2"}, optional
    bits : int in 12..16, optional
        Bits stored (16 allocated, unsigned).

    Returns
    -------
    stored : numpy.ndarray, uint16, (H, W)
        The anatomy occupies 30-60% of ``[0, 2**bits - 1]``; a burned-in lead
        marker (top right, white on display) takes the extreme value.
    ds : pydicom.dataset.Dataset
        The image pixel and VOI LUT attributes (no pixel data yet).
    """
    photometric = str(rng.choice(PHOTOMETRIC)) if photometric is None else photometric
    bits = int(rng.choice(BITS)) if bits is None else int(bits)
    if photometric not in PHOTOMETRIC:
        raise ValueError(f"photometric: expected one of {PHOTOMETRIC}, got {photometric!r}")
    if bits not in BITS:
        raise ValueError(f"bits: expected one of {BITS}, got {bits!r}")
    top = 2 ** bits - 1
    span = top * rng.uniform(0.3, 0.6)
    low = top * rng.uniform(0.03, 0.95 - span / top)
    H, W = m.shape
    value = np.clip(m, 0, 1).astype(np.float64)
    r0, c0 = int(0.04 * H), int(0.86 * W)                   # the lead marker: a small "R" block
    value[r0:r0 + int(0.05 * H), c0:c0 + int(0.05 * W)] = np.inf
    if photometric == "MONOCHROME1":
        value = 1 - value                                    # film-like: bone dark in storage
    stored = np.where(np.isfinite(value), low + value * span, top if photometric == "MONOCHROME2"
                      else 0)
    stored = np.clip(np.round(stored), 0, top).astype(np.uint16)
    shown = (0.02, 0.85) if photometric == "MONOCHROME2" else (0.15, 0.98)   # m in [0.02, 0.85]
    lower, upper = low + shown[0] * span, low + shown[1] * span
    ds = Dataset()
    ds.Modality = "DX"
    ds.Rows, ds.Columns = H, W
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, bits, bits - 1
    ds.PixelRepresentation = 0
    ds.WindowCenter = f"{(lower + upper) / 2:.1f}"
    ds.WindowWidth = f"{upper - lower:.1f}"
    return stored, ds


def to_display(stored: np.ndarray, ds: Dataset, voi: bool = True, invert: bool = True
               ) -> np.ndarray:
    """Stored values -> float32 [0, 1] with bone white: VOI LUT, MONOCHROME1 inverted.

    Parameters
    ----------
    stored : numpy.ndarray, (H, W)
        ``ds.pixel_array``.
    ds : pydicom.dataset.Dataset
        Its VOI LUT and photometric attributes.
    voi, invert : bool
        Apply the VOI LUT; invert MONOCHROME1. Both True for a network (False:
        the mistakes lesson 10 shows).

    Returns
    -------
    numpy.ndarray, float32, (H, W), in [0, 1]
    """
    x = stored.astype(np.float64)
    if voi:
        x = apply_voi_lut(stored, ds).astype(np.float64)
    if invert and ds.get("PhotometricInterpretation", "MONOCHROME2") == "MONOCHROME1":
        x = x.max() - x
    x = x - x.min()
    peak = x.max()
    return (x / peak if peak > 0 else x).astype(np.float32)


def uid(*parts) -> str:
    """A deterministic DICOM UID from ``parts``."""
    return generate_uid(entropy_srcs=[str(p) for p in parts])


def image_id(seed: int, index: int) -> str:
    """A VinBigData-style image id: 32 hex digits, fixed by seed and index."""
    return hashlib.md5(f"camteach-phantom-{seed}-{index}".encode()).hexdigest()


def write(path: Path, stored: np.ndarray, ds: Dataset, image: str) -> None:
    """Write ``stored`` with the attributes of ``ds`` as a DICOM Part 10 file."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = DX_STORAGE
    meta.MediaStorageSOPInstanceUID = uid("sop", image)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset(ds)                                       # leave the caller's copy alone
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = DX_STORAGE, meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = uid("study", image), uid("series", image)
    ds.PatientID = image
    ds.PatientName = "PHANTOM"
    ds.ImageComments = "camteach synthetic chest phantom, not a patient"
    ds.PixelData = np.ascontiguousarray(stored, dtype="<u2").tobytes()
    ds.save_as(path, enforce_file_format=True)


def read(path: Path) -> tuple[np.ndarray, Dataset]:
    """The stored values and the dataset of a DICOM file (clear errors if not one).

    Returns
    -------
    stored : numpy.ndarray, (H, W)
    ds : pydicom.dataset.Dataset
    """
    path = Path(path)
    try:
        ds = pydicom.dcmread(path)
        stored = ds.pixel_array
    except FileNotFoundError:
        raise
    except Exception as error:                            # pydicom raises many kinds
        raise ValueError(f"{path}: not a readable DICOM image ({type(error).__name__}: "
                         f"{error})") from error
    if stored.ndim != 2:
        raise ValueError(f"{path}: expected one grayscale frame (rows, columns), got pixel "
                         f"data of shape {stored.shape}")
    if ds.get("PhotometricInterpretation") not in PHOTOMETRIC:
        raise ValueError(f"{path}: expected PhotometricInterpretation MONOCHROME1 or "
                         f"MONOCHROME2, got {ds.get('PhotometricInterpretation')!r}")
    return stored, ds
