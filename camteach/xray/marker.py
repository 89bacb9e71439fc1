"""A burned-in corner marker: the classic way to be right for the wrong reason.

Portable radiographs (taken at the bedside, of sicker patients) carry a
text tag such as "AP" or "PORTABLE" burned into a corner. A network trained
on images where such a tag correlates with a finding can learn the tag
instead of the finding. The phantoms reproduce this: with ``marker=`` (see
:func:`camteach.xray.phantom_data`) a bright block-letter "AP" is burned
into the top left corner of the stored radiograph of most phantoms that
have the chosen finding and of few that do not.

The tag sits in the same place relative to the image in every phantom, so
after resizing to a square it occupies a fixed box, :data:`MARKER_BOX`
(pixels of the 224-pixel images; :func:`marker_box` for other sizes). The
corner is outside the trunk (air, black), so the tag is the only thing
there.
"""

from __future__ import annotations

import numpy as np

from .vinbigdata import SIZE

#: The tag's letters, 5 x 7 cells each ("#": stroke).
_LETTERS = {
    "A": (".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "P": ("####.", "#...#", "#...#", "####.", "#....", "#....", "#...."),
}
#: The text burned in.
TEXT = "AP"


def _glyph(text: str = TEXT) -> np.ndarray:
    """The tag as a bool grid (rows, cols): letters 1 cell apart, a 1-cell margin."""
    rows = [""] * 7
    for i, letter in enumerate(text):
        for r in range(7):
            rows[r] += ("." if i else "") + _LETTERS[letter][r]
    grid = np.array([[c == "#" for c in row] for row in rows], dtype=bool)
    return np.pad(grid, 1)


GLYPH = _glyph()
#: Where the tag lies, as fractions (x0, y0, x1, y1) of the image's width and height.
MARKER_FRACTION = (0.04, 0.03, 0.04 + 0.01 * GLYPH.shape[1], 0.03 + 0.01 * GLYPH.shape[0])


def marker_box(size: int = SIZE) -> np.ndarray:
    """The tag's box (x0, y0, x1, y1) in pixels of a ``size`` x ``size`` image (float64, (4,))."""
    return np.array(MARKER_FRACTION, dtype=np.float64) * size


#: The tag's box (x0, y0, x1, y1) in pixels of the 224-pixel images the loaders return.
MARKER_BOX = marker_box(SIZE)


def _cells(shape: tuple[int, int]) -> tuple[slice, slice, np.ndarray]:
    """Rows, columns of the tag in an image of ``shape`` and the glyph cell of each pixel there."""
    H, W = shape
    x0, y0, x1, y1 = MARKER_FRACTION
    rows = slice(int(round(y0 * H)), int(round(y1 * H)))
    cols = slice(int(round(x0 * W)), int(round(x1 * W)))
    y = (np.arange(rows.start, rows.stop) + 0.5) / H
    x = (np.arange(cols.start, cols.stop) + 0.5) / W
    gi = np.clip(((y - y0) / (y1 - y0) * GLYPH.shape[0]).astype(int), 0, GLYPH.shape[0] - 1)
    gj = np.clip(((x - x0) / (x1 - x0) * GLYPH.shape[1]).astype(int), 0, GLYPH.shape[1] - 1)
    return rows, cols, GLYPH[gi[:, None], gj[None, :]]


def burn_marker(image: np.ndarray, value: float = 1.0) -> np.ndarray:
    """A copy of ``image`` with the "AP" tag burned into its top left corner.

    Parameters
    ----------
    image : numpy.ndarray, (H, W), (H, W, 1) or (N, H, W, 1)
        Attenuation maps or display images in [0, 1] (bone white); one or a batch.
    value : float
        The strokes' value (1: as white as anything in the image).

    Returns
    -------
    numpy.ndarray
        Same shape and dtype; the strokes set to ``value``, everything else untouched.
        On the loaders' square images the tag covers :func:`marker_box`.
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3, 4) or (image.ndim == 4 and image.shape[-1] != 1) or (
            image.ndim == 3 and image.shape[-1] != 1):
        raise ValueError(f"image: expected (H, W), (H, W, 1) or (N, H, W, 1), got shape {image.shape}")
    out = image.copy()
    H, W = (image.shape[0], image.shape[1]) if image.ndim in (2, 3) else image.shape[1:3]
    rows, cols, strokes = _cells((H, W))
    if image.ndim == 2:
        out[rows, cols][strokes] = value                     # basic slices are views of ``out``
    elif image.ndim == 3:
        out[rows, cols, 0][strokes] = value
    else:
        out[:, rows, cols, 0][:, strokes] = value
    return out


def has_marker(images: np.ndarray, contrast: float = 0.5) -> np.ndarray:
    """Which display images carry the tag (template match at the centre of each glyph cell).

    Parameters
    ----------
    images : numpy.ndarray, (N, H, W, 1) or (N, H, W), in [0, 1]
    contrast : float
        Required difference between the mean of the stroke cells and of the
        blank cells of the tag's box.

    Returns
    -------
    numpy.ndarray, bool, (N,)
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 4:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"images: expected (N, H, W, 1) or (N, H, W), got shape {images.shape}")
    H, W = images.shape[1:]
    x0, y0, x1, y1 = MARKER_FRACTION
    gr, gc = GLYPH.shape
    r = ((y0 + (np.arange(gr) + 0.5) / gr * (y1 - y0)) * H).astype(int)
    c = ((x0 + (np.arange(gc) + 0.5) / gc * (x1 - x0)) * W).astype(int)
    centres = images[:, r[:, None], c[None, :]]                          # (N, gr, gc)
    return centres[:, GLYPH].mean(axis=1) - centres[:, ~GLYPH].mean(axis=1) > contrast
