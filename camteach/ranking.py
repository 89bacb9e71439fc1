"""Ranking the explanation methods on the truth the scenes know.

:func:`rank_methods` explains each scene's true class with every registered
method (or those named) and scores the maps against the object:

- pointing: the share of maps whose hottest pixel lies within 15 px of the
  object (:func:`camteach.metrics.pointing_game`, Zhang et al. 2016);
- box IoU: the CAM paper's box (:func:`camteach.metrics.cam_box`) against the
  object's box, at the threshold that did best for *that method* on
  validation scenes (``make_scenes(n, seed=VAL_SEED)``), never on the scenes
  reported;
- energy: the share of the map's positive mass on the object
  (:func:`camteach.metrics.energy_pointing`, Score-CAM's energy-based pointing);
- seconds per image: the wall time of ``ct.explain`` on the reported scenes
  (compiled beforehand, so tracing is not counted), on this machine.

Methods are ranked by the mean of the three ground-truth scores (all in
[0, 1]; ties keep the order the methods were given in); a method a model
cannot run (CAM needs a GlobalAveragePooling2D head, and the logit) is listed
last as n/a.
Report on test scenes
(``make_scenes(n, seed=TEST_SEED)``), which no model was trained on and no
threshold was chosen on::

    ranking = ct.rank_methods(model, ct.make_scenes(40, seed=ct.TEST_SEED))
    print(ranking.to_markdown())
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np

from . import checks, graph
from . import methods as registry
from .heatmap import upsample
from .metrics import (POINTING_TOLERANCE, THRESHOLDS, VAL_SEED, box_iou, cam_box,
                      energy_pointing, pointing_game)
from .scenes import TEST_SEED, Scenes, make_scenes



@dataclass(frozen=True)
class MethodScore:
    """One method's scores over the scenes (None where the model cannot run it).

    Attributes
    ----------
    method : str
        The registry name.
    pointing : float or None
        Share of pointing-game hits (peak within ``tolerance`` px of the object).
    iou : float or None
        Mean IoU of the CAM-paper box with the object's box, at ``threshold``.
    energy : float or None
        Mean share of the positive map mass that lies on the object.
    seconds_per_image : float or None
        Wall time of ``ct.explain`` per scene.
    threshold : float or None
        The box threshold (a fraction of the map's maximum) chosen on validation scenes.
    note : str
        Why the method is n/a, when it is.
    """

    method: str
    pointing: float | None
    iou: float | None
    energy: float | None
    seconds_per_image: float | None
    threshold: float | None
    note: str = ""

    @property
    def available(self) -> bool:
        return self.pointing is not None

    @property
    def mean(self) -> float | None:
        """The ranking key: the mean of pointing, IoU and energy."""
        return (self.pointing + self.iou + self.energy) / 3 if self.available else None


@dataclass(frozen=True)
class Ranking:
    """Methods best first (n/a last), with what they were measured on.

    Attributes
    ----------
    rows : tuple of MethodScore
    model : str
        The model's name.
    scenes : int
        Scenes scored.
    validation : int
        Validation scenes the thresholds were chosen on (0 when given).
    tolerance : float
        The pointing game's tolerance in pixels.
    score : str
        The class score the maps explained (``"logit"`` or ``"probability"``).
    """

    rows: tuple[MethodScore, ...]
    model: str
    scenes: int
    validation: int
    tolerance: float = POINTING_TOLERANCE
    score: str = "logit"

    @property
    def names(self) -> tuple[str, ...]:
        """The method names, best first."""
        return tuple(row.method for row in self.rows)

    def __getitem__(self, method: str) -> MethodScore:
        for row in self.rows:
            if row.method == method:
                return row
        raise KeyError(method)

    def to_markdown(self, seconds: bool = True) -> str:
        """The table in Markdown; ``seconds=False`` leaves out the (machine-dependent) timing."""
        head = ["rank", "method", f"pointing ({self.tolerance:g} px)", "box IoU", "threshold",
                "energy inside", "mean"] + (["s / image"] if seconds else [])
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        for rank, row in enumerate(self.rows, 1):
            if row.available:
                cells = [str(rank), row.method, f"{row.pointing:.1%}", f"{row.iou:.3f}",
                         f"{row.threshold:.2f}", f"{row.energy:.1%}", f"{row.mean:.3f}"]
                cells += [_seconds(row.seconds_per_image)] if seconds else []
            else:
                cells = ["-", row.method] + ["n/a"] * (len(head) - 2)
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_markdown()


def _seconds(value: float) -> str:
    return f"{value:.4f}" if value < 0.1 else f"{value:.2f}"


def rank_methods(model: keras.Model, scenes: Scenes, methods: Sequence[str] | None = None, *,
                 validation: Scenes | float | None = None, tolerance: float = POINTING_TOLERANCE,
                 batch_size: int = 32, score: str = "logit",
                 options: dict[str, dict] | None = None) -> Ranking:
    """Score explanation methods on single-object scenes and rank them.

    Parameters
    ----------
    model : keras.Model
        A classifier of the scenes' classes (e.g. ``ct.load_course_model()``).
    scenes : Scenes
        Single-object scenes to report on: test scenes,
        ``ct.make_scenes(n, seed=TEST_SEED)``.
    methods : sequence of str, optional
        Method names (default: every registered one, ``ct.methods.names()``).
    validation : Scenes or float, optional
        Where each method's box threshold is chosen: scenes (default:
        ``make_scenes(len(scenes), seed=VAL_SEED)``), or one threshold in
        (0, 1] for every method.
    tolerance : float
        The pointing game's tolerance in pixels (15).
    batch_size : int
        Images per forward pass.
    score : {"logit", "probability"}
        The class score the maps explain (see :func:`camteach.explain`).
    options : dict, optional
        Options per method, e.g. ``{"lime": {"num_samples": 200}}``.

    Returns
    -------
    Ranking
        ``rows`` best first by the mean of pointing, IoU and energy;
        ``to_markdown()`` prints the table.
    """
    scenes = _single_object(scenes, "scenes")
    names = _method_names(methods)
    score = checks.one_of(score, "score", registry.SCORES)
    options = dict(options or {})
    unknown = sorted(set(options) - set(names))
    if unknown:
        raise ValueError(f"options: expected options of the ranked methods {list(names)}, "
                         f"got options for {unknown}")
    if isinstance(validation, Scenes):
        validation = _single_object(validation, "validation")
    elif validation is None:
        validation = make_scenes(len(scenes), seed=VAL_SEED, size=scenes.images.shape[1])
    else:
        validation = checks.number_in(validation, "validation", 0.0, 1.0, low_open=True)
    has_gap = graph.find_classifier(model).pool is not None
    rows = []
    for name in names:
        method = registry.get(name)
        if method.needs_gap and not has_gap:
            rows.append(MethodScore(name, None, None, None, None, None,
                                    "needs a GlobalAveragePooling2D + Dense head"))
            continue
        if method.logit_only and score == "probability":
            rows.append(MethodScore(name, None, None, None, None, None,
                                    "defined on the logit only"))
            continue
        kwargs = dict(options.get(name, {}), batch_size=batch_size, score=score)
        rows.append(_score_method(model, name, scenes, validation, tolerance, kwargs))
    # ties (to 6 decimals: CAM and HiRes-CAM on a GAP head) keep the order the methods came in
    ranked = sorted((row for row in rows if row.available), key=lambda row: -round(row.mean, 6))
    return Ranking(tuple(ranked + [row for row in rows if not row.available]), model.name,
                   len(scenes), len(validation) if isinstance(validation, Scenes) else 0,
                   tolerance, score)


def _score_method(model, name: str, scenes: Scenes, validation, tolerance: float,
                  kwargs: dict) -> MethodScore:
    size = scenes.images.shape[1]
    if isinstance(validation, Scenes):
        threshold = best_threshold(_maps(model, name, validation, kwargs), validation.boxes,
                                   validation.images.shape[1])
    else:
        threshold = validation
        _maps(model, name, scenes[:1], kwargs)                 # compile outside the timing
    start = time.perf_counter()
    maps = _maps(model, name, scenes, kwargs)
    seconds = (time.perf_counter() - start) / len(scenes)
    return MethodScore(
        method=name,
        pointing=float(pointing_game(maps, scenes.masks, tolerance).mean()),
        iou=float(box_ious(maps, scenes.boxes, threshold, size).mean()),
        energy=float(energy_pointing(maps, scenes.masks).mean()),
        seconds_per_image=seconds, threshold=float(threshold))


def _maps(model, name: str, scenes: Scenes, kwargs: dict) -> np.ndarray:
    """The raw maps (N, h, w) of each scene's true class."""
    return registry.explain(model, scenes.images, name, classes=scenes.labels[:, None],
                            **kwargs).maps[:, 0]


def box_ious(maps, boxes, threshold: float, size: int) -> np.ndarray:
    """IoU of each map's CAM-paper box with the object's box.

    Parameters
    ----------
    maps : array-like, (N, h, w)
        Raw maps; upsampled (bilinear) to ``size`` first.
    boxes : array-like, (N, 4)
        The objects' boxes ``(x0, y0, x1, y1)`` in image pixels.
    threshold : float in (0, 1]
        :func:`camteach.metrics.cam_box`'s fraction of the maximum.
    size : int
        The (square) images' side.

    Returns
    -------
    numpy.ndarray, float64, (N,)
    """
    heat = upsample(maps, size)
    return box_iou(np.stack([cam_box(h, threshold) for h in heat]), boxes)


def best_threshold(maps, boxes, size: int) -> float:
    """The threshold of ``THRESHOLDS`` whose boxes overlap ``boxes`` best on average
    (``maps``, ``boxes``, ``size`` as in :func:`box_ious`); choose it on validation scenes.
    Ties go to the smallest threshold."""
    heat = upsample(maps, size)
    ious = [box_iou(np.stack([cam_box(h, t) for h in heat]), boxes).mean() for t in THRESHOLDS]
    return float(THRESHOLDS[int(np.argmax(ious))])


def _single_object(scenes, name: str) -> Scenes:
    if not isinstance(scenes, Scenes):
        raise ValueError(f"{name}: expected Scenes (ct.make_scenes(n, seed=...)), "
                         f"got {type(scenes).__name__}")
    if scenes.labels.ndim != 1:
        raise ValueError(f"{name}: expected single-object scenes (make_scenes(..., objects=1)), "
                         f"got labels of shape {scenes.labels.shape}")
    return scenes


def _method_names(names) -> tuple[str, ...]:
    if names is None:
        return registry.names()
    if isinstance(names, str) or not isinstance(names, Sequence) or not names:
        raise ValueError(f"methods: expected a non-empty list of method names, got {names!r}")
    for name in names:
        registry.get(name)                    # a ValueError naming the registered ones
    if len(set(names)) != len(names):
        raise ValueError(f"methods: expected each method once, got {list(names)}")
    return tuple(names)
