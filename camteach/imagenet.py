"""The 1000 ImageNet classes, offline: their names and decoding scores.

Keras' ``decode_predictions`` downloads ``imagenet_class_index.json`` on first
use, which fails offline; the course ships the same file as
``camteach/data/imagenet_classes.json`` (built by
``tools/make_imagenet_classes.py``; same order and names as Keras').
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from . import checks

__all__ = ["decode", "imagenet_class_names"]

_DATA = Path(__file__).resolve().parent / "data" / "imagenet_classes.json"


@lru_cache(maxsize=1)
def imagenet_class_names() -> tuple[str, ...]:
    """The 1000 ImageNet class names, in the networks' output order, offline.

    Read from the shipped ``camteach/data/imagenet_classes.json`` (Keras'
    ``imagenet_class_index.json`` format and order: the ILSVRC-2012 classes
    sorted by WordNet id), so no download is needed.

    Returns
    -------
    tuple of str, length 1000
        Human-readable names: the first WordNet lemma, with spaces (Keras'
        ``decode_predictions`` shows the same names with underscores).
        Index 0 is ``"tench"``, 207 ``"golden retriever"``, 281 ``"tabby"``,
        409 ``"analog clock"``, 817 ``"sports car"``, 999 ``"toilet tissue"``.
        Names are not unique: 134 and 517 are both ``"crane"`` (bird and
        machine), 638 and 639 both ``"maillot"``.
    """
    raw = json.loads(_DATA.read_text(encoding="utf-8"))
    return tuple(raw[str(i)][1].replace("_", " ") for i in range(len(raw)))


def decode(logits_or_probs: Any, top: int = 5) -> list[list[tuple[int, str, float]]]:
    """The ``top`` highest-scoring ImageNet classes of each image, offline.

    Like Keras' ``decode_predictions`` but with no download, class indices
    instead of WordNet ids, and names from :func:`imagenet_class_names`.

    Parameters
    ----------
    logits_or_probs : array_like, shape (N, 1000) or (1000,)
        Model outputs: probabilities (the default softmax head) or logits.
        Scores are reported as given (not converted).
    top : int, default 5
        How many classes per image, 1..1000.

    Returns
    -------
    list of list of (int, str, float)
        One list per image (one list for a 1-D input too), each holding
        ``(class_index, name, score)`` sorted by decreasing score (ties by
        increasing index).

    Raises
    ------
    ValueError
        If the last axis is not 1000 long, the rank is not 1 or 2, values are
        not numbers or NaN, or ``top`` is not in 1..1000.
    """
    arr = np.asarray(logits_or_probs)
    if arr.dtype.kind not in "iuf" or arr.ndim not in (1, 2) or arr.shape[-1] != 1000:
        raise ValueError(f"logits_or_probs: expected numbers of shape (N, 1000) or (1000,) "
                         f"(one score per ImageNet class), got {arr.dtype} of shape {arr.shape}")
    if np.isnan(arr).any():
        raise ValueError("logits_or_probs: contains NaN values")
    top = checks.int_in_range(top, "top", 1, 1000)
    names = imagenet_class_names()
    result = []
    for row in arr.reshape(-1, 1000).astype(np.float64):
        order = np.argsort(-row, kind="stable")[:top]
        result.append([(int(i), names[i], float(row[i])) for i in order])
    return result
