"""Checked exercises for lessons 01-06, in the spirit of Kaggle's learntools.

Each lesson notebook ends with a few exercises bound to its own data::

    from camteach.exercises import lesson04
    q1, q2, q3, q4 = lesson04.bind(F=F, W=W, b=b, logits=logits, c=car)
    cam = ...            # the student replaces ... with code
    q2.check(cam)        # "Correct! ..." or what is wrong, e.g. "you added the bias"
    q2.hint()            # a hint; call again for a more specific one
    q2.solution()        # the solution code

``check`` computes the right answer from the bound data, and also the
typical *wrong* answers (bias added, max instead of mean, another class's
column, ...): an answer that matches one of them gets a message naming the
mistake. Wrong shapes, booleans or NaN get their own messages. An exercise
left as ``...`` prints what to do and returns False without raising, so the
committed notebooks run top to bottom.

The solutions use the names of ``bind``'s arguments, the answers of the
lesson's earlier exercises (lesson 04's q3 uses q2's ``cam``), ``np`` and
``ct`` (``import camteach as ct``): bind with variables of those names and a
solution runs as printed.

Used in lessons 01-06 (lesson 00 shows how exercises work).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache, cached_property
from typing import Any, Protocol

import numpy as np

import camteach as ct

__all__ = ["Exercise", "Lesson", "lesson01", "lesson02", "lesson03", "lesson04",
           "lesson05", "lesson06"]

#: A typical wrong answer: a function computing it from the bound data, and
#: the message that names the mistake.
Mistake = tuple[Callable[[], Any], str]


# --------------------------------------------------------------------------
# Kinds of answers: how to read, compare and diagnose them
# --------------------------------------------------------------------------

class _Problem(Exception):
    """An answer that cannot be compared (wrong type, NaN, ...): the message says why."""


class _Kind(Protocol):
    """How one kind of answer (numbers, an index, a box, ...) is checked."""

    def read(self, answer: Any) -> Any:
        """The answer in a comparable form, or raise _Problem saying what is wrong."""

    def same(self, got: Any, want: Any) -> bool:
        """Whether two read answers are equal (within tolerance)."""

    def diagnose(self, got: Any, want: Any) -> str:
        """What differs between a wrong answer and the right one."""


def _numbers(answer, what: str) -> np.ndarray:
    """``answer`` as an array of numbers (bool allowed), or a _Problem."""
    if answer is None:
        raise _Problem(f"got None, expected {what}: did the code assign the result of a "
                       f"function that prints or changes in place instead of returning?")
    if hasattr(answer, "numpy") and callable(answer.numpy):        # TensorFlow tensors
        answer = answer.numpy()
    try:
        array = np.asarray(answer)
    except (TypeError, ValueError):
        array = np.asarray(None)
    if array.dtype.kind not in "biuf":
        raise _Problem(f"expected {what}, got {type(answer).__name__} {answer!r:.60}")
    return array


def _whole(array: np.ndarray, what: str) -> np.ndarray:
    """Integer-valued numbers as int64 (2.0 is fine, 2.5 and True are not)."""
    if array.dtype == bool:
        raise _Problem(f"expected {what}, got True/False")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array) & (array == np.round(array))):
        raise _Problem(f"expected {what} (whole numbers), got {array.tolist()!r:.60}")
    return array.astype(np.int64)


def _shape_message(got: tuple, want: tuple) -> str:
    if want == ():
        return (f"expected a single number, got an array of shape {got}: reduce it "
                f"(.mean(), .sum(), ...) or pick one element")
    if got == ():
        return (f"expected an array of shape {want}, got a single number: did you reduce "
                f"over too many axes?")
    text = f"expected shape {want}, got {got}"
    if got[1:] == want:
        return text + ": did you keep the batch axis? Take the image first (e.g. F[0])"
    if want[1:] == got:
        return text + ": did you drop the batch axis? Keep one row per image (e.g. F[:1], " \
                      "or axis=(1, 2))"
    if len(got) == len(want) > 1 and got == want[::-1]:
        return text + ": are the axes in the wrong order (transposed)?"
    if np.prod(got) == np.prod(want):
        return text + ": the right number of values in the wrong shape (which axes?)"
    return text


class _Numbers:
    """A number or an array of numbers, equal within ``rtol * scale``.

    ``scale`` is the size of the values (or of the terms summed to get them);
    by default the largest absolute expected value.
    """

    def __init__(self, rtol: float = 1e-4, scale: float | None = None):
        self.rtol, self.scale = rtol, scale

    def read(self, answer) -> np.ndarray:
        array = _numbers(answer, "a number or an array of numbers")
        if array.dtype == bool:
            raise _Problem(f"expected numbers, got True/False values (shape {array.shape}): "
                           f"a comparison? (e.g. take their .mean())")
        if np.isnan(array).any():
            raise _Problem("your answer contains NaN (not a number): 0/0, or the mean of "
                           "an empty selection?")
        if np.isinf(array).any():
            raise _Problem("your answer contains inf: a division by zero, or exp overflowing?")
        return array

    def _tolerance(self, want: np.ndarray) -> float:
        scale = self.scale if self.scale is not None else float(np.abs(want).max(initial=0))
        return self.rtol * max(scale, 1e-12)

    @staticmethod
    def _fit(got: np.ndarray, want: np.ndarray) -> np.ndarray:
        return got.reshape(()) if want.ndim == 0 and got.size == 1 else got

    def same(self, got: np.ndarray, want: np.ndarray) -> bool:
        got = self._fit(got, want)
        return got.shape == want.shape and bool(
            np.all(np.abs(got.astype(np.float64) - want) <= self._tolerance(want)))

    def diagnose(self, got: np.ndarray, want: np.ndarray) -> str:
        got = self._fit(got, want)
        if got.shape != want.shape:
            return _shape_message(got.shape, want.shape)
        if want.size == 1:
            return f"{float(got.ravel()[0]):.6g} is not the expected value"
        diff, tol = got.astype(np.float64) - want, self._tolerance(want)
        if np.ptp(diff) <= tol:
            return (f"every value is off by the same amount ({diff.mean():+.4g}): a constant "
                    f"added or missing (a bias?)")
        nonzero = np.abs(want) > tol
        if nonzero.any() and np.all(np.abs(got[~nonzero]) <= tol):
            ratio = got[nonzero] / want[nonzero]
            if np.ptp(ratio) <= self.rtol * np.abs(ratio).max():
                return (f"every value is {ratio.mean():.4g} times the expected one: a scale "
                        f"factor (sum vs mean? normalised?)")
        if got.dtype.kind in "iu":
            return (f"your values are integers ({got.dtype}): did something round them "
                    f"(// or astype(int))?")
        share = np.mean(np.abs(diff) > tol)
        return f"{share:.0%} of the values differ from the expected ones"


class _Index:
    """One index (a class, a channel): an int, or a class name when ``names`` are given."""

    def __init__(self, count: int, noun: str = "class", names: Sequence[str] | None = None):
        self.count, self.noun, self.names = count, noun, list(names) if names else None

    def read(self, answer) -> int:
        if isinstance(answer, str):
            if self.names and answer in self.names:
                return self.names.index(answer)
            known = f" or one of {self.names}" if self.names else ""
            raise _Problem(f"expected a {self.noun} index (an int){known}, got {answer!r}")
        array = _numbers(answer, f"a {self.noun} index (an int)")
        if array.size != 1:
            raise _Problem(f"expected one {self.noun} index, got an array of shape "
                           f"{array.shape}: did you forget np.argmax, or to pick one element?")
        return int(_whole(array.reshape(()), f"a {self.noun} index"))

    def same(self, got: int, want: int) -> bool:
        return got == want

    def diagnose(self, got: int, want: int) -> str:
        if not 0 <= got < self.count:
            plural = self.noun + ("es" if self.noun.endswith("s") else "s")
            return (f"{got} is out of range: there are {self.count} {plural}, numbered 0 "
                    f"to {self.count - 1}")
        return f"{self.noun} {_name(got, self.names)} is not the one"


class _Box:
    """A box ``(x0, y0, x1, y1)`` in whole pixels, x1 and y1 exclusive; exact."""

    def read(self, answer) -> np.ndarray:
        array = _numbers(answer, "a box (x0, y0, x1, y1)")
        if array.shape != (4,):
            raise _Problem(f"expected a box of 4 numbers (x0, y0, x1, y1), got shape "
                           f"{array.shape}")
        return _whole(array, "pixel coordinates")

    def same(self, got: np.ndarray, want: np.ndarray) -> bool:
        return bool(np.array_equal(got, want))

    def diagnose(self, got: np.ndarray, want: np.ndarray) -> str:
        if got[2] <= got[0] or got[3] <= got[1]:
            return "a box needs x1 > x0 and y1 > y0 (x1, y1 exclusive)"
        return f"the box {tuple(got.tolist())} is not the expected one"


class _IndexSet:
    """A set of indices among ``count`` (a list of ints, or a bool mask of length ``count``)."""

    def __init__(self, count: int, noun: str = "image"):
        self.count, self.noun = count, noun

    def read(self, answer) -> np.ndarray:
        array = _numbers(answer, f"a list of {self.noun} indices")
        if array.dtype == bool:
            if array.shape != (self.count,):
                raise _Problem(f"a True/False mask must have one entry per {self.noun} "
                               f"({self.count},), got shape {array.shape}")
            return np.flatnonzero(array)
        array = np.atleast_1d(array)
        if array.ndim != 1:
            raise _Problem(f"expected a flat list of {self.noun} indices, got shape "
                           f"{array.shape} (np.flatnonzero gives one)")
        return np.unique(_whole(array, f"{self.noun} indices"))

    def same(self, got: np.ndarray, want: np.ndarray) -> bool:
        return bool(np.array_equal(got, want))

    def diagnose(self, got: np.ndarray, want: np.ndarray) -> str:
        if got.size and (got.min() < 0 or got.max() >= self.count):
            return f"indices must be in 0..{self.count - 1} (there are {self.count} {self.noun}s)"
        extra, missing = np.setdiff1d(got, want).size, np.setdiff1d(want, got).size
        return (f"{extra} of your {self.noun}s should not be in the list, and {missing} "
                f"are missing")


# --------------------------------------------------------------------------
# The exercise
# --------------------------------------------------------------------------

def _show(text: str) -> None:
    print(text)


class Exercise:
    """One checked exercise: ``check(answer)``, ``hint()``, ``solution()``.

    Parameters
    ----------
    label : str
        How the notebook calls it ("q2"), used in messages.
    question : str
        What is asked.
    var : str
        The name the solution assigns (``cam``), as the notebook's cell does.
    code : str
        The solution code; it assigns ``var`` and runs in :meth:`namespace`.
    answer : callable
        Computes the right answer from the bound data (called once, lazily).
    kind : _Kind
        How answers are read, compared and diagnosed (numbers, index, box...).
    why : str or callable returning str
        The one-line "why it matters" printed with a correct answer.
    hints : sequence of str
        From vague to specific.
    mistakes : sequence of (callable, str)
        Typical wrong answers and the message naming each mistake.
    data : mapping
        The bound data, by the names the solution code uses.
    previous : sequence of Exercise
        The lesson's earlier exercises (their answers are in the namespace).
    """

    def __init__(self, label: str, question: str, var: str, code: str,
                 answer: Callable[[], Any], kind: _Kind, why: str | Callable[[], str],
                 hints: Sequence[str], mistakes: Sequence[Mistake] = (),
                 data: Mapping[str, Any] | None = None, previous: Sequence[Exercise] = ()):
        self.label, self.question, self.var, self.code = label, question, var, code
        self.kind, self.hints, self.mistakes = kind, tuple(hints), list(mistakes)
        self._answer, self._why = answer, why
        self.data, self.previous = dict(data or {}), tuple(previous)
        self._hints_given = 0

    def __repr__(self) -> str:
        return f"{self.label}: {self.question}"

    @cached_property
    def expected(self):
        """The right answer, computed from the bound data."""
        return self.kind.read(self._answer())

    @cached_property
    def _variants(self) -> list[tuple[Any, str]]:
        """The typical wrong answers, computed on first use (None if not computable)."""
        variants = []
        for make, message in self.mistakes:
            try:
                value = self.kind.read(make())
            except Exception:              # a variant that makes no sense for this data
                value = None
            variants.append((value, message))
        return variants

    def check(self, answer: Any = ...) -> bool:
        """Check an answer and print a teaching message.

        Parameters
        ----------
        answer : any
            The student's answer; ``...`` (left unanswered) is not an error.

        Returns
        -------
        bool
            True if the answer is right.
        """
        if answer is Ellipsis:
            _show(f"Check: replace `...` with your answer (`{self.var} = <your code>`), run "
                  f"the cell, then `{self.label}.check({self.var})`. Stuck? "
                  f"`{self.label}.hint()`, then `{self.label}.solution()`.")
            return False
        try:
            got = self.kind.read(answer)
        except _Problem as problem:
            _show(f"Not quite: {problem}.")
            return False
        if self.kind.same(got, self.expected):
            why = self._why() if callable(self._why) else self._why
            _show(f"Correct! {why[:1].upper()}{why[1:]}")
            return True
        for value, message in self._variants:
            if value is not None and self.kind.same(got, value):
                _show(f"Not quite: {message}")
                return False
        _show(f"Not quite: {self.kind.diagnose(got, self.expected)}. "
              f"Try `{self.label}.hint()`.")
        return False

    def hint(self) -> None:
        """Print a hint; each call gives the next, more specific one."""
        n = min(self._hints_given, len(self.hints) - 1)
        self._hints_given += 1
        last = n == len(self.hints) - 1
        more = f" (last hint: `{self.label}.solution()` shows the answer)" if last else ""
        _show(f"Hint {n + 1}/{len(self.hints)}: {self.hints[n]}{more}")

    def solution(self) -> None:
        """Print the solution code (it runs in the notebook as is)."""
        _show(f"# Solution to {self.label}\n{self.code}")

    def namespace(self) -> dict[str, Any]:
        """The names the solution uses: bound data, earlier answers, ``np`` and ``ct``."""
        earlier = {q.var: q.expected for q in self.previous}
        return {"np": np, "ct": ct, **self.data, **earlier}


class _Sheet:
    """Collects one lesson's exercises: numbers them and shares the bound data."""

    def __init__(self, **data):
        self.data, self.exercises = data, []

    def add(self, **spec) -> Exercise:
        exercise = Exercise(label=f"q{len(self.exercises) + 1}", data=self.data,
                            previous=tuple(self.exercises), **spec)
        self.exercises.append(exercise)
        return exercise


class Lesson:
    """A lesson's exercises; ``bind(...)`` attaches them to the notebook's data.

    Parameters
    ----------
    number : str
        "01" ... "06".
    title : str
        The lesson's topic.
    bind : callable
        Takes the notebook's arrays, returns the exercises (q1, q2, ...).
    """

    def __init__(self, number: str, title: str, bind: Callable[..., tuple[Exercise, ...]]):
        self.number, self.title, self.bind = number, title, bind

    def __repr__(self) -> str:
        return (f"Lesson {self.number} ({self.title}) exercises: "
                f"help(lesson{self.number}.bind) shows what to bind")


# --------------------------------------------------------------------------
# Shared helpers for the lessons
# --------------------------------------------------------------------------

def _name(k: int, names: Sequence[str] | None) -> str:
    return f"{k} ('{names[k]}')" if names is not None and 0 <= k < len(names) else f"{k}"


def _array(value, name: str, ndim: int, dtype=np.float64) -> np.ndarray:
    array = np.asarray(value, dtype=dtype)
    if array.ndim != ndim:
        raise ValueError(f"{name}: expected {ndim} axes, got shape {array.shape}")
    return array


def _features(F) -> np.ndarray:
    F = _array(F, "F", 4)
    if not np.all(np.isfinite(F)):
        raise ValueError("F: contains NaN or infinite values")
    return F


def _class(c, num_classes: int) -> int:
    if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or not 0 <= c < num_classes:
        raise ValueError(f"c: expected a class index in [0, {num_classes - 1}], got {c!r}")
    return int(c)


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _relative_change(new: np.ndarray, old: np.ndarray) -> float:
    return float(np.linalg.norm(new - old) / np.linalg.norm(old))


def _coverage(masks: np.ndarray, h: int, w: int) -> np.ndarray:
    """The share of each of the h x w cells that a mask (N, H, W) covers."""
    n, H, W = masks.shape
    rows, cols = np.arange(H) * h // H, np.arange(W) * w // W
    cover = np.zeros((n, h, w))
    np.add.at(cover, (slice(None), rows[:, None], cols[None, :]), masks)
    return cover / np.bincount(rows)[:, None] / np.bincount(cols)[None, :]


def _all_pixels_box(heat: np.ndarray, threshold: float) -> np.ndarray:
    rows, cols = np.nonzero(heat >= threshold * heat.max())
    return np.array([cols.min(), rows.min(), cols.max() + 1, rows.max() + 1])


# --------------------------------------------------------------------------
# Lesson 01: CNN features
# --------------------------------------------------------------------------

def bind_lesson01(F, images, parts: Mapping[str, Any], part: str = "wheel"
                  ) -> tuple[Exercise, Exercise, Exercise]:
    """Exercises of lesson 01 (CNN features).

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
    F = _features(F)
    images = np.asarray(images)
    if images.ndim != 4 or len(images) != len(F):
        raise ValueError(f"images: expected (N={len(F)}, H, W, 3), got shape {images.shape}")
    mask = np.asarray(parts[part], dtype=bool)
    if mask.shape != images.shape[:3]:
        raise ValueError(f"parts[{part!r}]: expected masks {images.shape[:3]}, got {mask.shape}")
    n, h, w, channels = F.shape
    size = images.shape[1]
    sheet = _Sheet(F=F, images=images, parts=parts)
    factor = size / h

    sheet.add(
        question=f"How many times smaller (per side) is a {h}x{w} feature map than the "
                 f"{size}x{images.shape[2]} image?",
        var="factor", code="factor = images.shape[1] / F.shape[1]",
        answer=lambda: factor, kind=_Numbers(rtol=1e-6),
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

    zero_share = float(np.mean(F == 0))
    sheet.add(
        question="What fraction of all the values in F is exactly zero?",
        var="zero_share", code="zero_share = np.mean(F == 0)",
        answer=lambda: zero_share, kind=_Numbers(rtol=1e-6, scale=1.0),
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

    @cache
    def dissection():
        return ct.dissect(F, {part: mask})

    cover = _coverage(mask, h, w)
    sheet.add(
        question=f"Which channel of F is the '{part}' detector, by network dissection "
                 f"(ct.dissect: the channel whose firing overlaps the {part}s best)?",
        var="channel", code=f'channel = ct.dissect(F, {{"{part}": parts["{part}"]}}).channel[0]',
        answer=lambda: dissection().channel[0], kind=_Index(channels, "channel"),
        why=lambda: (f"of all {channels} channels, channel {dissection().channel[0]} overlaps "
                     f"the {part}s best (IoU {dissection().iou[0]:.2f}): the network's own "
                     f"'{part} detector', which nobody asked it to learn (the lecture's 'one "
                     f"feature per thing')."),
        hints=(f"ct.dissect(F, masks) takes a dict {{part name: masks}} and returns, per part, "
               f"the best channel (.channel) and its IoU (.iou).",
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
    return tuple(sheet.exercises)


# --------------------------------------------------------------------------
# Lesson 02: global average pooling
# --------------------------------------------------------------------------

def bind_lesson02(F, F_moved) -> tuple[Exercise, Exercise, Exercise]:
    """Exercises of lesson 02 (pooling).

    Parameters
    ----------
    F : array-like, (N, h, w, C)
        Feature maps of some images (``ct.features(model, images).F``).
    F_moved : array-like, (N, h, w, C)
        Feature maps of the same scenes with the object moved
        (``ct.draw_scene(..., center=...)`` with another centre).

    Returns
    -------
    q1, q2, q3 : Exercise
        q1 ``pooled``: global average pooling of F by hand, (N, C). q2
        ``pooled_change``: the relative change of the pooled vectors when the
        object moves. q3 ``map_change``: the relative change of the maps.
        Relative change: ``np.linalg.norm(new - old) / np.linalg.norm(old)``.
    """
    F, F_moved = _features(F), _features(F_moved)
    if F_moved.shape != F.shape:
        raise ValueError(f"F_moved: expected the shape of F {F.shape}, got {F_moved.shape}")
    sheet = _Sheet(F=F, F_moved=F_moved)
    pooled = F.mean(axis=(1, 2))
    pooled_change = _relative_change(F_moved.mean(axis=(1, 2)), pooled)
    map_change = _relative_change(F_moved, F)

    sheet.add(
        question="Global average pooling by hand: the pooled vector of every image, (N, C).",
        var="pooled", code="pooled = F.mean(axis=(1, 2))",
        answer=lambda: pooled, kind=_Numbers(),
        why="one number per feature: 'was thing k found, and how strongly, *somewhere*'. "
            "The map said where; the average forgets it.",
        hints=("Average each feature map over its positions: which axes of F (N, h, w, C) "
               "are the positions?",
               "The spatial axes are 1 and 2: F.mean(axis=(1, 2))."),
        mistakes=[
            (lambda: F.max(axis=(1, 2)), "that is *max* pooling; global *average* pooling "
                                         "takes the mean."),
            (lambda: F.sum(axis=(1, 2)), "that is the sum over the positions; the average "
                                         "divides it by h*w (use .mean)."),
            (lambda: F.mean(axis=3), "that averages over the channels (axis 3), giving one "
                                     "map per image; pool over the spatial axes (1, 2)."),
            (lambda: F.mean(axis=(0, 1)), "axis 0 is the images (the batch); the spatial axes "
                                          "of F (N, h, w, C) are 1 and 2."),
            (lambda: F.mean(axis=1), "that averages over the rows only; pool over rows and "
                                     "columns: axis=(1, 2)."),
        ])

    sheet.add(
        question="The object moved. By how much (relatively) did the pooled vectors change? "
                 "`np.linalg.norm(new - old) / np.linalg.norm(old)`",
        var="pooled_change",
        code="pooled_change = (np.linalg.norm(F_moved.mean(axis=(1, 2)) - pooled)\n"
             "                 / np.linalg.norm(pooled))",
        answer=lambda: pooled_change, kind=_Numbers(),
        why=f"the pooled vectors changed by {pooled_change:.1%}, the maps by "
            f"{map_change:.1%}: pooling hardly cares *where* the object is. To find where, "
            f"look before the pooling: the CAM.",
        hints=("Pool F_moved like F, then compare the two pooled arrays.",
               "np.linalg.norm(pooled_moved - pooled) / np.linalg.norm(pooled)."),
        mistakes=[
            (lambda: np.linalg.norm(F_moved.mean(axis=(1, 2)) - pooled),
             "that is the absolute change; divide by np.linalg.norm(pooled) for a relative one."),
            (lambda: map_change, "that is how much the feature *maps* changed; the question "
                                 "asks about the pooled vectors."),
            (lambda: _relative_change(F_moved.max(axis=(1, 2)), F.max(axis=(1, 2))),
             "that is the change of *max*-pooled vectors; the network averages (.mean)."),
        ])

    sheet.add(
        question="And by how much (relatively) did the feature maps F change?",
        var="map_change", code="map_change = np.linalg.norm(F_moved - F) / np.linalg.norm(F)",
        answer=lambda: map_change, kind=_Numbers(),
        why=f"the maps changed by {map_change:.1%} but their averages only by "
            f"{pooled_change:.1%}: the 7x7 maps know where the object is, the pooled vector "
            f"does not.",
        hints=("Same formula as q2, on the maps themselves.",
               "np.linalg.norm(F_moved - F) / np.linalg.norm(F)."),
        mistakes=[
            (lambda: np.linalg.norm(F_moved - F),
             "that is the absolute change; divide by np.linalg.norm(F) for a relative one."),
            (lambda: pooled_change, "that is the change of the *pooled* vectors (q2); this "
                                    "one is about the maps before pooling."),
        ])
    return tuple(sheet.exercises)


# --------------------------------------------------------------------------
# Lesson 03: the dense layer as logistic regression
# --------------------------------------------------------------------------

def bind_lesson03(pooled, W, b, c: int, class_names: Sequence[str] | None = None
                  ) -> tuple[Exercise, Exercise, Exercise]:
    """Exercises of lesson 03 (logistic regression).

    Parameters
    ----------
    pooled : array-like, (N, C)
        Pooled features (``feats.pooled``).
    W : array-like, (C, K)
        Dense weights (``feats.W``).
    b : array-like, (K,)
        Dense bias (``feats.b``).
    c : int
        The class of q2.
    class_names : sequence of str, optional
        For the messages (``ct.CLASS_NAMES``).

    Returns
    -------
    q1, q2, q3 : Exercise
        q1 ``logits``: ``pooled @ W + b``, (N, K). q2 ``feature``: the feature
        with the largest positive weight for class c. q3 ``probs``: the
        softmax of the logits, (N, K) (uses q1's ``logits``).
    """
    pooled, W, b = _array(pooled, "pooled", 2), _array(W, "W", 2), _array(b, "b", 1)
    if W.shape[0] != pooled.shape[1] or b.shape != (W.shape[1],):
        raise ValueError(f"expected pooled (N, C), W (C, K), b (K,); got {pooled.shape}, "
                         f"{W.shape}, {b.shape}")
    c = _class(c, W.shape[1])
    sheet = _Sheet(pooled=pooled, W=W, b=b, c=c)
    logits = pooled @ W + b
    scale = float((np.abs(pooled) @ np.abs(W) + np.abs(b)).max())
    cname = _name(c, class_names)

    sheet.add(
        question="The logits (scores before the softmax) of every image: pooled @ W + b.",
        var="logits", code="logits = pooled @ W + b",
        answer=lambda: logits, kind=_Numbers(scale=scale),
        why="the dense layer is a logistic regression on the pooled features: each score is "
            "a weighted vote of the features, plus a bias.",
        hints=("One matrix product and one addition: (N, C) @ (C, K) gives (N, K).",
               "pooled @ W + b (the bias broadcasts over the images)."),
        mistakes=[
            (lambda: pooled @ W, "you forgot the bias b."),
            (lambda: _softmax(logits), "those are probabilities (after the softmax); the "
                                       "logits are the scores before it."),
            (lambda: _sigmoid(logits), "that is the sigmoid of the scores; the logits are "
                                       "the scores before any activation."),
            (lambda: pooled @ W[:, c] + b[c], "that is class c only; compute every class at "
                                              "once: pooled @ W + b."),
        ])

    sheet.add(
        question=f"Which feature has the largest positive weight for class {cname}?",
        var="feature", code="feature = np.argmax(W[:, c])",
        answer=lambda: np.argmax(W[:, c]), kind=_Index(W.shape[0], "feature"),
        why=f"feature {np.argmax(W[:, c])} supports class {cname} the most: the more it is "
            f"found, the higher the score. A weight of 0 has no effect, a negative one "
            f"argues against the class.",
        hints=("W is (C, K): one row per feature, one column per class.",
               "Take the class's column W[:, c] and find the position of its maximum."),
        mistakes=[
            (lambda: np.argmax(W[c]), "W[c] is a *row*: the weights of feature c for every "
                                      "class. A class's weights are the column W[:, c]."),
            (lambda: np.argmin(W[:, c]), "that is the most *negative* weight (the largest "
                                         "in absolute value?): the feature that argues most "
                                         "*against* the class."),
            (lambda: np.argmax(W), "np.argmax(W) without an axis is a position in the "
                                   "flattened W, not a feature."),
            (lambda: np.argmax(pooled[0] * W[:, c]),
             "that is the feature that contributes most to image 0's score (pooled * weight); "
             "the question is about the weight alone."),
        ])

    sheet.add(
        question="The softmax probabilities of every image, (N, K), from the logits.",
        var="probs", code="probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)",
        answer=lambda: _softmax(logits), kind=_Numbers(scale=1.0),
        why="the softmax turns scores into probabilities that compete (they sum to 1); it "
            "keeps their order, so the top class is the same. CAMs explain the logits.",
        hints=("Exponentiate the logits, then divide each image's values by their sum.",
               "Sum over the classes (axis=1) and keep the axis (keepdims=True) to divide."),
        mistakes=[
            (lambda: _softmax(logits, axis=0), "you normalised across the *images* (axis 0); "
                                               "the softmax normalises each image's scores "
                                               "across the classes (axis=1)."),
            (lambda: logits / logits.sum(axis=1, keepdims=True),
             "you forgot the exponential: np.exp(logits) first."),
            (lambda: np.exp(logits), "np.exp alone: divide by the sum over the classes."),
            (lambda: _sigmoid(logits), "that is the sigmoid of each score on its own; the "
                                       "softmax makes the classes compete (sum to 1)."),
        ])
    return tuple(sheet.exercises)


# --------------------------------------------------------------------------
# Lesson 04: the class activation map
# --------------------------------------------------------------------------

def bind_lesson04(F, W, b, logits, c: int, class_names: Sequence[str] | None = None
                  ) -> tuple[Exercise, Exercise, Exercise, Exercise]:
    """Exercises of lesson 04 (the class activation map), on image 0.

    Parameters
    ----------
    F : array-like, (N, h, w, C)
        Feature maps (``feats.F``); the exercises use image 0, ``F[0]``.
    W : array-like, (C, K)
        Dense weights (``feats.W``).
    b : array-like, (K,)
        Dense bias (``feats.b``).
    logits : array-like, (N, K)
        Pre-softmax scores (``feats.logits``, not ``model.predict``).
    c : int
        The class to explain.
    class_names : sequence of str, optional
        For the messages (``ct.CLASS_NAMES``).

    Returns
    -------
    q1, q2, q3, q4 : Exercise
        q1 ``w``: the class's weights ``W[:, c]``. q2 ``cam``: the h x w CAM
        of image 0 with one einsum. q3 ``lhs``: ``cam.mean() + b[c]`` (equal
        to ``logits[0, c]``). q4 ``second``: the class of image 0's
        second-best CAM (second-highest logit).
    """
    F, W, b = _features(F), _array(W, "W", 2), _array(b, "b", 1)
    logits = _array(logits, "logits", 2)
    if W.shape[0] != F.shape[3] or b.shape != (W.shape[1],) or logits.shape != (len(F), len(b)):
        raise ValueError(f"expected F (N, h, w, C), W (C, K), b (K,), logits (N, K); got "
                         f"{F.shape}, {W.shape}, {b.shape}, {logits.shape}")
    scale = float((np.abs(F.mean(axis=(1, 2))) @ np.abs(W) + np.abs(b)).max())
    if np.abs(F.mean(axis=(1, 2)) @ W + b - logits).max() > 1e-3 * scale:
        raise ValueError("logits: they are not F.mean(axis=(1, 2)) @ W + b; pass the scores "
                         "before the softmax (ct.features(...).logits), not model.predict(...)")
    c = _class(c, W.shape[1])
    sheet = _Sheet(F=F, W=W, b=b, logits=logits, c=c)
    F0, C, K = F[0], W.shape[0], W.shape[1]
    cams = np.einsum("hwk,kj->hwj", F0, W)                     # every class's map
    cam = cams[..., c]
    cam_scale = float((np.abs(F0) @ np.abs(W[:, c])).max())
    cname = _name(c, class_names)
    others = [k for k in range(K) if k != c]

    sheet.add(
        question=f"The weights w of class {cname}: one per feature map, shape ({C},).",
        var="w", code="w = W[:, c]",
        answer=lambda: W[:, c], kind=_Numbers(),
        why=f"w[k] says how much feature k counts for class {cname}: the CAM weighs each "
            f"feature map by it.",
        hints=("W is (C, K): one row per feature, one column per class.",
               "Take column c of W."),
        mistakes=[
            (lambda: W[c], "W[c] is a *row*: the weights of feature c for every class (W "
                           "transposed). The class's weights are the column W[:, c]."),
            *[(lambda k=k: W[:, k], f"that is the column of class {_name(k, class_names)}; "
                                    f"take class c = {cname}.") for k in others],
        ])

    sheet.add(
        question=f"The CAM of image 0 for class {cname}: F[0][:, :, 0]*w[0] + ... + "
                 f"F[0][:, :, {C - 1}]*w[{C - 1}], with one np.einsum.",
        var="cam", code='cam = np.einsum("hwk,k->hw", F[0], W[:, c])',
        answer=lambda: cam, kind=_Numbers(scale=cam_scale),
        why="the CAM is the class's weighted sum of the feature maps: where the things that "
            "support the class were found. Raw, it is signed: positive where the evidence "
            "for the class is.",
        hints=('np.einsum("hwk,k->hw", maps, weights) multiplies each map k by weight k and '
               'sums over k.',
               "The maps of image 0 are F[0] (h, w, C); the weights are W[:, c]."),
        mistakes=[
            (lambda: cam + b[c], "you added the bias b[c]: the CAM is the weighted sum alone "
                                 "(the bias comes back in q3's identity)."),
            (lambda: np.maximum(cam, 0), "you applied a ReLU: the raw CAM is asked, negative "
                                         "values included (Grad-CAM clips them, lesson 08)."),
            (lambda: ct.normalize(cam), "you normalised the map to [0, 1]: keep the raw "
                                        "values (normalise only to draw it)."),
            (lambda: cam.T, "rows and columns are swapped (transposed): the map is (h, w) = "
                            "F[0]'s first two axes."),
            (lambda: F0.sum(axis=-1), "that is the unweighted sum of the feature maps: "
                                      "multiply each map by its weight w[k]."),
            (lambda: cam / C, "you averaged over the features instead of summing (the map "
                              f"is {C} times too small)."),
            (lambda: cams, "that is the maps of *all* classes (h, w, K); take class c only."),
            *[(lambda k=k: cams[..., k], f"that is the map of class {_name(k, class_names)} "
                                         f"(column {k} of W); take column c = {cname}.")
              for k in others],
        ])

    probs = _softmax(logits[0])
    sheet.add(
        question="Check the identity mean(CAM) + b[c] == logit[c]: compute the left side.",
        var="lhs", code="lhs = cam.mean() + b[c]",
        answer=lambda: logits[0, c], kind=_Numbers(scale=scale),
        why=f"mean(CAM) + b[c] = {logits[0, c]:.4g} = logits[0, c]: pooling and the dense "
            f"layer are linear, so the CAM spreads the score over the image. The score "
            f"before the softmax, not the probability ({probs[c]:.3f}).",
        hints=("Average the whole map (one number), then add the class's bias.",
               "cam.mean() + b[c], with cam from q2 (the raw map)."),
        mistakes=[
            (lambda: cam.mean(), "you forgot the bias: add b[c]."),
            (lambda: ct.normalize(cam).mean() + b[c],
             "you normalised the map before averaging: the identity holds for the raw CAM."),
            (lambda: np.maximum(cam, 0).mean() + b[c],
             "you applied a ReLU before averaging: the identity holds for the raw CAM."),
            (lambda: cam.sum() + b[c], "you summed the map; the pooling *averages* it "
                                       "(.mean())."),
            (lambda: probs[c], "that is the softmax *probability*; the identity holds for the "
                               "logit, the score before the softmax."),
            *[(lambda k=k: logits[0, k], f"that is the identity for class "
                                         f"{_name(k, class_names)}: use class c = {cname}.")
              for k in others],
        ])

    order = np.argsort(logits[0])
    sheet.add(
        question="Of image 0's top CAMs, which class does the *second* best explain?",
        var="second", code="second = np.argsort(logits[0])[-2]",
        answer=lambda: order[-2], kind=_Index(K, "class", class_names),
        why=f"class {_name(order[-2], class_names)} has the second-highest logit: its CAM is "
            f"the second of the top-k maps (ct.cam(model, images, top=5)).",
        hints=("The CAMs are ranked by the score they explain: logit = mean(CAM) + b.",
               "np.argsort sorts ascending: the best class is last, the second best is [-2]."),
        mistakes=[
            (lambda: order[1], "np.argsort sorts ascending: [1] is the second *lowest* "
                               "score; take [-2]."),
            (lambda: order[-1], "that is the best class; the question asks for the second."),
            (lambda: np.argsort(cams.max(axis=(0, 1)))[-2],
             "you ranked the maps by their hottest cell; they are ranked by the score "
             "mean(CAM) + b."),
            (lambda: np.argsort(cams.mean(axis=(0, 1)))[-2],
             "you ranked by mean(CAM) alone: the score adds the bias, mean(CAM) + b."),
        ])
    return tuple(sheet.exercises)


# --------------------------------------------------------------------------
# Lesson 05: upsampling and boxes
# --------------------------------------------------------------------------

def bind_lesson05(cam, true_box, size: int = 224) -> tuple[Exercise, Exercise, Exercise]:
    """Exercises of lesson 05 (upsampling and overlay).

    Parameters
    ----------
    cam : array-like, (h, w)
        One raw CAM (e.g. ``res.maps[0, 0]``).
    true_box : array-like of int, (4,)
        The object's box ``(x0, y0, x1, y1)``, x1 and y1 exclusive
        (``scenes.boxes[0]``).
    size : int
        The image side (224).

    Returns
    -------
    q1, q2, q3 : Exercise
        q1 ``heat``: the CAM upsampled to size x size, bilinear. q2 ``box``:
        the CAM paper's box at 20% of the max (``ct.cam_box``) of q1's
        ``heat``. q3 ``iou``: its IoU with ``true_box``.
    """
    cam = _array(cam, "cam", 2)
    true_box = np.asarray(true_box, dtype=np.int64)
    if true_box.shape != (4,):
        raise ValueError(f"true_box: expected (x0, y0, x1, y1), got shape {true_box.shape}")
    sheet = _Sheet(cam=cam, true_box=true_box)
    scale = size / cam.shape[0]

    @cache
    def up(method="bilinear", side=(size, size)):
        return ct.upsample(cam, side, method=method)

    def box_of(heat):
        return ct.cam_box(heat, 0.2)

    def iou(box):
        return ct.box_iou(box, true_box)

    sheet.add(
        question=f"Upsample the {cam.shape[0]}x{cam.shape[1]} CAM to {size}x{size}, bilinear.",
        var="heat", code=f"heat = ct.upsample(cam, {size})",
        answer=lambda: up(), kind=_Numbers(scale=float(np.abs(cam).max())),
        why="bilinear interpolation turns the coarse grid into a smooth map at the image's "
            "size, so it can be drawn over the image and compared with its pixels.",
        hints=("ct.upsample(maps, size, method) resizes the last two axes.",
               f"ct.upsample(cam, {size}); bilinear is the default method."),
        mistakes=[
            (lambda: up("nearest"), "that is nearest-neighbour upsampling (blocky squares); "
                                    "use bilinear."),
            (lambda: up("bicubic"), "that is bicubic upsampling; use bilinear."),
            (lambda: ct.normalize(up()), "you normalised the map to [0, 1]: keep the raw "
                                         "values (ct.overlay normalises for display)."),
            (lambda: up(side=(size, size + 20)),
             f"that is {size}x{size + 20}, the lecture's typo: the input is {size}x{size}."),
        ])

    sheet.add(
        question="The CAM paper's box: keep the pixels above 20% of heat's maximum, box the "
                 "largest connected region, as (x0, y0, x1, y1).",
        var="box", code="box = ct.cam_box(heat, threshold=0.2)",
        answer=lambda: box_of(up()), kind=_Box(),
        why="thresholding the upsampled CAM turns an explanation into a localisation, "
            "trained with image labels only, which can be scored against the true box.",
        hints=("ct.cam_box(heat, threshold) does it and returns (x0, y0, x1, y1), x1 and y1 "
               "exclusive.",
               "Threshold the *upsampled* map heat, not the 7x7 cam: ct.cam_box(heat, 0.2)."),
        mistakes=[
            (lambda: box_of(up())[[1, 0, 3, 2]],
             "that box is in (row, column) order: (y0, x0, y1, x1). Boxes are (x0, y0, x1, y1): "
             "x is the column."),
            (lambda: box_of(up()) - [0, 0, 1, 1],
             "your x1 and y1 are inclusive (the last pixel); here they are exclusive "
             "(one past it), as in mask[y0:y1, x0:x1]."),
            (lambda: box_of(cam), f"that box is in cells of the {cam.shape[0]}x{cam.shape[1]} "
                                  f"map: threshold the upsampled heat."),
            (lambda: box_of(up("nearest")),
             f"that box follows the {cam.shape[0]}x{cam.shape[1]} cells (in steps of "
             f"{scale:g} pixels): a map thresholded before upsampling, or upsampled with "
             f"nearest neighbours. Threshold the bilinear heat of q1."),
            (lambda: _all_pixels_box(up(), 0.2),
             "that box covers every pixel above 20%; the CAM paper keeps only the largest "
             "connected region (ct.cam_box)."),
            (lambda: box_of(ct.normalize(up())),
             "you normalised before thresholding: the threshold is 20% of the raw map's "
             "maximum."),
        ])

    sheet.add(
        question="The IoU (intersection over union) of your box with the true box.",
        var="iou", code="iou = ct.box_iou(box, true_box)",
        answer=lambda: iou(box_of(up())), kind=_Numbers(rtol=1e-6, scale=1.0),
        why=lambda: (f"IoU {float(iou(box_of(up()))):.2f} (0.5 is the usual bar for a "
                     f"correct localisation): a number that says how well the CAM found "
                     f"the object, not just a picture that looks right."),
        hints=("ct.box_iou(a, b) takes two boxes (x0, y0, x1, y1).",
               "ct.box_iou(box, true_box) with q2's box."),
        mistakes=[
            (lambda: iou(box_of(up())[[1, 0, 3, 2]]),
             "that is the IoU of a (row, column) box: fix q2's box order to (x0, y0, x1, y1)."),
            (lambda: iou(box_of(up()) - [0, 0, 1, 1]),
             "that is the IoU of a box with inclusive ends: fix q2 (x1, y1 exclusive)."),
            (lambda: iou(box_of(up("nearest"))), "that is the IoU of a box that follows the "
                                                 "small map's cells: fix q2 (threshold the "
                                                 "bilinear heat)."),
            (lambda: iou(box_of(up())) * 100, "that is a percentage; give a fraction."),
        ])
    return tuple(sheet.exercises)


# --------------------------------------------------------------------------
# Lesson 06: one class, many images
# --------------------------------------------------------------------------

def bind_lesson06(maps, masks, cue_masks) -> tuple[Exercise, Exercise]:
    """Exercises of lesson 06 (one class, many images; the shortcut).

    Parameters
    ----------
    maps : array-like, (N, h, w)
        One CAM per image, all for the same class (e.g. ``res.maps[:, 0]``).
    masks : array-like of bool, (N, H, W)
        The object's pixels (``scenes.masks``).
    cue_masks : array-like of bool, (N, H, W)
        The shortcut cue's pixels (``scenes.cue_masks``).

    Returns
    -------
    q1, q2 : Exercise
        q1 ``hit_rate``: the pointing game, the share of images whose
        upsampled CAM peaks on the object. q2 ``on_cue``: the indices of the
        images whose CAM peaks on the cue (a list, or a bool mask (N,)).
    """
    maps = _array(maps, "maps", 3)
    masks = np.asarray(masks, dtype=bool)
    cue_masks = np.asarray(cue_masks, dtype=bool)
    if masks.ndim != 3 or len(masks) != len(maps) or cue_masks.shape != masks.shape \
            or masks.shape[1] != masks.shape[2]:
        raise ValueError(f"expected maps (N, h, w), masks and cue_masks (N, H, H); got "
                         f"{maps.shape}, {masks.shape}, {cue_masks.shape}")
    size = masks.shape[1]
    sheet = _Sheet(maps=maps, masks=masks, cue_masks=cue_masks)
    n = len(maps)

    @cache
    def heat(method="bilinear"):
        return ct.upsample(maps, size, method=method)

    def hits(where: np.ndarray, method="bilinear"):
        return ct.pointing_game(heat(method), where)

    sheet.add(
        question="The pointing game: in what share of the images does the CAM's hottest "
                 "pixel (after upsampling) fall on the object?",
        var="hit_rate",
        code=f"hit_rate = ct.pointing_game(ct.upsample(maps, {size}), masks).mean()",
        answer=lambda: hits(masks).mean(), kind=_Numbers(rtol=1e-6, scale=1.0),
        why=lambda: (f"the CAM points at the object in {hits(masks).mean():.0%} of the "
                     f"images: one number over many images, where one picture could be a "
                     f"lucky pick."),
        hints=("ct.pointing_game(heatmaps, masks) says, per image, whether the peak is on "
               "the mask; it needs maps at the masks' size.",
               f"Upsample first (ct.upsample(maps, {size})), then average the True/False "
               f"results (.mean())."),
        mistakes=[
            (lambda: hits(masks).sum(), "that is the number of hits; the share divides by the "
                                        "number of images (.mean())."),
            (lambda: 100 * hits(masks).mean(), "that is a percentage; give a fraction."),
            (lambda: 1 - hits(masks).mean(), "that is the share of *misses*."),
            (lambda: hits(masks, "nearest").mean(),
             "that is with nearest-neighbour upsampling (the peak lands on a block's corner); "
             "use bilinear, ct.upsample's default."),
        ])

    sheet.add(
        question="Which images' CAMs peak on the shortcut cue? (a list of image indices)",
        var="on_cue", code=f"on_cue = np.flatnonzero(ct.pointing_game(ct.upsample(maps, {size}), "
                           f"cue_masks))",
        answer=lambda: np.flatnonzero(hits(cue_masks)), kind=_IndexSet(n, "image"),
        why=lambda: (f"in {hits(cue_masks).sum()} of {n} images the class's evidence is the "
                     f"cue, not the object: the model learned a shortcut, and its CAM shows "
                     f"it." if hits(cue_masks).any() else
                     "no CAM peaks on the cue here: on these images the class's evidence is "
                     "not the shortcut."),
        hints=("Play the pointing game against cue_masks instead of the object masks.",
               "np.flatnonzero turns the per-image True/False into the indices of the True."),
        mistakes=[
            (lambda: np.flatnonzero(~hits(cue_masks)), "those are the images whose CAM does "
                                                       "*not* peak on the cue."),
            (lambda: np.flatnonzero(hits(masks)), "those are the images whose CAM peaks on "
                                                  "the *object*."),
            (lambda: np.flatnonzero(cue_masks.any(axis=(1, 2))),
             "those are the images that *have* a cue; the question is where the CAM points."),
            (lambda: np.flatnonzero(hits(cue_masks)) + 1, "Python counts from 0: your indices "
                                                          "are one too high."),
            (lambda: np.flatnonzero(hits(cue_masks, "nearest")),
             "that is with nearest-neighbour upsampling; use bilinear, ct.upsample's default."),
        ])
    return tuple(sheet.exercises)


# --------------------------------------------------------------------------
# Lesson 00: how exercises work
# --------------------------------------------------------------------------

def bind_lesson00(model) -> Exercise:
    """The warm-up exercise of lesson 00 (start here): how many classes?

    Parameters
    ----------
    model : keras.Model
        The course model (``ct.load_course_model()``).

    Returns
    -------
    q1 : Exercise
        ``answer``: the number of classes the model scores (one exercise,
        so it is returned alone, not in a tuple).
    """
    count = int(model.outputs[0].shape[-1])
    features = int(model.get_layer("avg_pool").output.shape[-1])
    sheet = _Sheet(model=model)
    sheet.add(
        question="How many classes does the course model know?",
        var="answer", code="answer = model.outputs[0].shape[-1]   # or len(ct.CLASS_NAMES)",
        answer=lambda: count, kind=_Numbers(rtol=0, scale=1.0),
        why=f"the model scores {count} classes: {', '.join(ct.CLASS_NAMES)}. Every lesson's "
            f"heat maps explain one of these scores.",
        hints=("Each class gets one score: look at the size of the model's output.",
               "model.outputs[0].shape[-1], or len(ct.CLASS_NAMES)."),
        mistakes=[
            (lambda: count - 1, f"{count - 1} is the index of the last class: indices start "
                                f"at 0, so there are {count}."),
            (lambda: features, f"{features} is the number of features the classifier reads, "
                               f"not the number of classes."),
            (lambda: 1000, "1000 is ImageNet's number of classes (ResNet50); the course "
                           "model has its own."),
        ])
    return sheet.exercises[0]


lesson00 = Lesson("00", "start here", bind_lesson00)
lesson01 = Lesson("01", "CNN features", bind_lesson01)
lesson02 = Lesson("02", "pooling", bind_lesson02)
lesson03 = Lesson("03", "logistic regression", bind_lesson03)
lesson04 = Lesson("04", "the class activation map", bind_lesson04)
lesson05 = Lesson("05", "upsampling and overlay", bind_lesson05)
lesson06 = Lesson("06", "one class, many images", bind_lesson06)
