"""What a scene knows about itself: class and part names, and the masks.

:class:`Scenes` holds a batch of images with their ground truth (labels,
object masks, part masks, boxes, shortcut cue); :class:`PartMasks` gives the
part masks by name from one compact label image.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

#: The four object classes, in label order (label ``k`` is ``CLASS_NAMES[k]``).
CLASS_NAMES: tuple[str, ...] = ("face", "car", "house", "flower")

#: The named parts of each class. The lecture's parts come first; ``head``
#: (the face's skin oval, ears and hair) and ``leaf`` (the flower's leaf) are
#: extras so that every painted pixel of an object belongs to a named part.
PARTS: dict[str, tuple[str, ...]] = {
    "face": ("eye", "nose", "mouth", "head"),
    "car": ("body", "wheel", "window"),
    "house": ("wall", "roof", "door", "window"),
    "flower": ("petal", "centre", "stem", "leaf"),
}

#: Every part name once, in the order of ``PARTS`` ("window" is shared by car
#: and house). The keys of ``Scenes.parts``.
PART_NAMES: tuple[str, ...] = tuple(dict.fromkeys(p for ps in PARTS.values() for p in ps))

#: The colour of the shortcut cue (a saturated magenta).
CUE_COLOR: tuple[int, int, int] = (255, 0, 255)

def mask_box(mask: np.ndarray) -> np.ndarray:
    """The tight box of a mask's True pixels.

    Parameters
    ----------
    mask : numpy.ndarray, bool, (H, W)

    Returns
    -------
    numpy.ndarray, int64, (4,)
        ``(x0, y0, x1, y1)``, x1 and y1 exclusive (``mask[y0:y1, x0:x1]``
        holds every True pixel); all zeros for an empty mask.
    """
    found = ndimage.find_objects(np.asarray(mask, dtype=bool).view(np.uint8))
    if not found:
        return np.zeros(4, np.int64)
    rows, cols = found[0]
    return np.array([cols.start, rows.start, cols.stop, rows.stop], np.int64)


#: Part name -> its value in ``PartMasks.label_map`` (0 is "no part").
PART_ID: dict[str, int] = {name: i + 1 for i, name in enumerate(PART_NAMES)}


class PartMasks(Mapping):
    """Part name -> bool mask (n, size, size): the part's visible pixels.

    A read-only mapping with a key for every name in ``PART_NAMES`` (a part
    absent from a scene has an all-False mask there); it behaves like a
    ``dict`` (``parts["wheel"]``, ``.items()``, ``dict(parts)``). The masks
    are computed on access from one compact label image, ``label_map``, so a
    batch of scenes does not hold 14 boolean arrays. Each access returns a new
    array.

    Attributes
    ----------
    label_map : numpy.ndarray, uint8, (n, size, size)
        0 where no part is visible, else ``1 + PART_NAMES.index(part)``.
    """

    __slots__ = ("label_map",)

    def __init__(self, label_map: np.ndarray):
        self.label_map = label_map

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in PART_ID:
            raise KeyError(f"unknown part {name!r}; expected one of {PART_NAMES}")
        return self.label_map == PART_ID[name]

    def __iter__(self) -> Iterator[str]:
        return iter(PART_NAMES)

    def __len__(self) -> int:
        return len(PART_NAMES)

    def __repr__(self) -> str:
        return f"PartMasks({list(PART_NAMES)}, shape={self.label_map.shape})"


@dataclass(frozen=True, eq=False)
class Scenes:
    """A batch of generated scenes and their ground truth.

    With ``objects=k`` objects per scene (k = 1 or 2) the per-object fields
    have an extra axis of length k when k > 1.

    Attributes
    ----------
    images : numpy.ndarray, uint8, (n, size, size, 3)
        RGB images.
    labels : numpy.ndarray, int64, (n,) or (n, k)
        Class index of each object (into ``class_names``).
    masks : numpy.ndarray, bool, (n, size, size) or (n, k, size, size)
        Each object's visible pixels (the union of its parts).
    parts : PartMasks (a mapping str -> bool array (n, size, size))
        Each part's visible pixels, union over the objects of a scene.
    boxes : numpy.ndarray, int64, (n, 4) or (n, k, 4)
        Tight box ``(x0, y0, x1, y1)`` of each object mask, x1 and y1
        exclusive: ``mask[y0:y1, x0:x1]`` holds all of it.
    class_names : tuple of str
        ``CLASS_NAMES``.
    cue_masks : numpy.ndarray, bool, (n, size, size), or None
        The shortcut cue's pixels; None when no shortcut was asked.

    Notes
    -----
    ``len(scenes)`` is n; ``scenes[i]``, ``scenes[a:b]``, ``scenes[[0, 3]]``
    or ``scenes[bool_array]`` return a ``Scenes`` subset (an integer keeps
    the batch axis: ``scenes[3]`` has n == 1).
    """

    images: np.ndarray
    labels: np.ndarray
    masks: np.ndarray
    parts: PartMasks
    boxes: np.ndarray
    class_names: tuple[str, ...] = CLASS_NAMES
    cue_masks: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.images.shape[0])

    def __getitem__(self, idx) -> Scenes:
        if isinstance(idx, numbers.Integral) and not isinstance(idx, (bool, np.bool_)):
            n = len(self)
            if not -n <= int(idx) < n:
                raise IndexError(f"scene index {idx} out of range for {n} scenes")
            idx = [int(idx)]
        return Scenes(images=self.images[idx], labels=self.labels[idx],
                      masks=self.masks[idx], parts=PartMasks(self.parts.label_map[idx]),
                      boxes=self.boxes[idx], class_names=self.class_names,
                      cue_masks=None if self.cue_masks is None else self.cue_masks[idx])

    def __repr__(self) -> str:
        size = self.images.shape[1] if self.images.ndim == 4 else "?"
        return (f"Scenes(n={len(self)}, size={size}, objects="
                f"{1 if self.labels.ndim == 1 else self.labels.shape[1]}, "
                f"cue={'no' if self.cue_masks is None else 'yes'})")
