"""The checking machinery every lesson's exercises share.

- Kinds of answers (:class:`Numbers`, :class:`Index`, :class:`Box`,
  :class:`IndexSet`, :class:`Choice` for concept and predict-then-check
  questions): how to read an answer, compare it with the right one, and say
  what differs when it is wrong.
- :class:`Exercise`: one question with ``check``, ``hint`` and ``solution``.
- :class:`Sheet`: collects one lesson's exercises, numbers them (q1, q2, ...)
  and shares the bound data between them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any, Protocol

import numpy as np

import camteach as ct

__all__ = ["Box", "Choice", "Exercise", "Index", "IndexSet", "Kind", "Mistake", "Numbers",
           "Problem", "Sheet", "named"]

#: A typical wrong answer: a function computing it from the bound data, and
#: the message that names the mistake.
Mistake = tuple[Callable[[], Any], str]


class Problem(Exception):
    """An answer that cannot be compared (wrong type, NaN, ...): the message says why."""


class Kind(Protocol):
    """How one kind of answer (numbers, an index, a box, ...) is checked."""

    def read(self, answer: Any) -> Any:
        """The answer in a comparable form, or raise :class:`Problem` saying what is wrong."""

    def same(self, got: Any, want: Any) -> bool:
        """Whether two read answers are equal (within tolerance)."""

    def diagnose(self, got: Any, want: Any) -> str:
        """What differs between a wrong answer and the right one."""


def named(k: int, names: Sequence[str] | None) -> str:
    """``k`` with its name when ``names`` has one: ``"1 ('car')"``, else ``"1"``."""
    return f"{k} ('{names[k]}')" if names is not None and 0 <= k < len(names) else f"{k}"


# --------------------------------------------------------------------------
# Reading answers
# --------------------------------------------------------------------------

def _numbers(answer: Any, what: str) -> np.ndarray:
    """``answer`` as an array of numbers (bool allowed), or a :class:`Problem`."""
    if answer is None:
        raise Problem(f"got None, expected {what}: did the code assign the result of a "
                      f"function that prints or changes in place instead of returning?")
    if hasattr(answer, "numpy") and callable(answer.numpy):        # TensorFlow tensors
        answer = answer.numpy()
    try:
        array = np.asarray(answer)
    except (TypeError, ValueError):
        array = np.asarray(None)
    if array.dtype.kind not in "biuf":
        raise Problem(f"expected {what}, got {type(answer).__name__} {answer!r:.60}")
    return array


def _whole(array: np.ndarray, what: str) -> np.ndarray:
    """Integer-valued numbers as int64 (2.0 is fine, 2.5 and True are not)."""
    if array.dtype == bool:
        raise Problem(f"expected {what}, got True/False")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array) & (array == np.round(array))):
        raise Problem(f"expected {what} (whole numbers), got {array.tolist()!r:.60}")
    return array.astype(np.int64)


def _shape_message(got: tuple[int, ...], want: tuple[int, ...]) -> str:
    """What a wrong shape most likely means (batch axis kept or dropped, transposed...)."""
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


# --------------------------------------------------------------------------
# Kinds of answers
# --------------------------------------------------------------------------

class Numbers:
    """A number or an array of numbers, equal within ``rtol * scale``.

    Parameters
    ----------
    rtol : float
        Relative tolerance.
    scale : float, optional
        The size of the values (or of the terms summed to get them); by
        default the largest absolute expected value.
    """

    def __init__(self, rtol: float = 1e-4, scale: float | None = None):
        self.rtol, self.scale = rtol, scale

    def read(self, answer: Any) -> np.ndarray:
        """The answer as an array of any shape; no bool, NaN or inf."""
        array = _numbers(answer, "a number or an array of numbers")
        if array.dtype == bool:
            raise Problem(f"expected numbers, got True/False values (shape {array.shape}): "
                          f"a comparison? (e.g. take their .mean())")
        if np.isnan(array).any():
            raise Problem("your answer contains NaN (not a number): 0/0, or the mean of "
                          "an empty selection?")
        if np.isinf(array).any():
            raise Problem("your answer contains inf: a division by zero, or exp overflowing?")
        return array

    def _tolerance(self, want: np.ndarray) -> float:
        scale = self.scale if self.scale is not None else float(np.abs(want).max(initial=0))
        return self.rtol * max(scale, 1e-12)

    @staticmethod
    def _fit(got: np.ndarray, want: np.ndarray) -> np.ndarray:
        """A one-element array stands for a single number."""
        return got.reshape(()) if want.ndim == 0 and got.size == 1 else got

    def same(self, got: np.ndarray, want: np.ndarray) -> bool:
        """Same shape and every value within the tolerance."""
        got = self._fit(got, want)
        return got.shape == want.shape and bool(
            np.all(np.abs(got.astype(np.float64) - want) <= self._tolerance(want)))

    def diagnose(self, got: np.ndarray, want: np.ndarray) -> str:
        """A wrong shape, a constant offset, a scale factor, rounding, or how much differs."""
        got = self._fit(got, want)
        if got.shape != want.shape:
            return _shape_message(got.shape, want.shape)
        if want.size == 1:
            return f"{float(got.ravel()[0]):.6g} is not the expected value"
        diff, tol = got.astype(np.float64) - want, self._tolerance(want)
        if np.ptp(diff) <= tol:
            return (f"every value is off by the same amount ({diff.mean():+.4g}): a constant "
                    f"added or missing (a bias?)")
        ratio = self._common_ratio(got, want, tol)
        if ratio is not None:
            return (f"every value is {ratio:.4g} times the expected one: a scale "
                    f"factor (sum vs mean? normalised?)")
        if got.dtype.kind in "iu":
            return (f"your values are integers ({got.dtype}): did something round them "
                    f"(// or astype(int))?")
        share = np.mean(np.abs(diff) > tol)
        return f"{share:.0%} of the values differ from the expected ones"

    def _common_ratio(self, got: np.ndarray, want: np.ndarray, tol: float) -> float | None:
        """The factor ``got / want`` when it is the same for every value, else None."""
        nonzero = np.abs(want) > tol
        if nonzero.any() and np.all(np.abs(got[~nonzero]) <= tol):
            ratio = got[nonzero] / want[nonzero]
            if np.ptp(ratio) <= self.rtol * np.abs(ratio).max():
                return float(ratio.mean())
        return None


class Index:
    """One index (a class, a channel): an int, or a class name when ``names`` are given.

    Parameters
    ----------
    count : int
        How many there are (valid indices are 0 to count - 1).
    noun : str
        What is counted, for messages ("class", "channel", "feature").
    names : sequence of str, optional
        Names accepted in place of the index.
    """

    def __init__(self, count: int, noun: str = "class", names: Sequence[str] | None = None):
        self.count, self.noun, self.names = count, noun, list(names) if names else None

    def read(self, answer: Any) -> int:
        """The answer as an int: a name, or one whole number (2.0 is fine)."""
        if isinstance(answer, str):
            if self.names and answer in self.names:
                return self.names.index(answer)
            known = f" or one of {self.names}" if self.names else ""
            raise Problem(f"expected a {self.noun} index (an int){known}, got {answer!r}")
        array = _numbers(answer, f"a {self.noun} index (an int)")
        if array.size != 1:
            raise Problem(f"expected one {self.noun} index, got an array of shape "
                          f"{array.shape}: did you forget np.argmax, or to pick one element?")
        return int(_whole(array.reshape(()), f"a {self.noun} index"))

    def same(self, got: int, want: int) -> bool:
        """Equal indices."""
        return got == want

    def diagnose(self, got: int, want: int) -> str:
        """Out of range, or just another one."""
        if not 0 <= got < self.count:
            plural = self.noun + ("es" if self.noun.endswith("s") else "s")
            return (f"{got} is out of range: there are {self.count} {plural}, numbered 0 "
                    f"to {self.count - 1}")
        return f"{self.noun} {named(got, self.names)} is not the one"


class Box:
    """A box ``(x0, y0, x1, y1)`` in whole pixels, x1 and y1 exclusive; exact."""

    def read(self, answer: Any) -> np.ndarray:
        """The answer as int64 (4,)."""
        array = _numbers(answer, "a box (x0, y0, x1, y1)")
        if array.shape != (4,):
            raise Problem(f"expected a box of 4 numbers (x0, y0, x1, y1), got shape "
                          f"{array.shape}")
        return _whole(array, "pixel coordinates")

    def same(self, got: np.ndarray, want: np.ndarray) -> bool:
        """The same four coordinates."""
        return bool(np.array_equal(got, want))

    def diagnose(self, got: np.ndarray, want: np.ndarray) -> str:
        """An empty (inverted) box, or another box."""
        if got[2] <= got[0] or got[3] <= got[1]:
            return "a box needs x1 > x0 and y1 > y0 (x1, y1 exclusive)"
        return f"the box {tuple(got.tolist())} is not the expected one"


class IndexSet:
    """A set of indices among ``count``: a list of ints, or a bool mask (count,).

    Parameters
    ----------
    count : int
        How many there are (valid indices are 0 to count - 1).
    noun : str
        What is counted, for messages ("image").
    """

    def __init__(self, count: int, noun: str = "image"):
        self.count, self.noun = count, noun

    def read(self, answer: Any) -> np.ndarray:
        """The answer as sorted unique int64 indices (k,)."""
        array = _numbers(answer, f"a list of {self.noun} indices")
        if array.dtype == bool:
            if array.shape != (self.count,):
                raise Problem(f"a True/False mask must have one entry per {self.noun} "
                              f"({self.count},), got shape {array.shape}")
            return np.flatnonzero(array)
        array = np.atleast_1d(array)
        if array.ndim != 1:
            raise Problem(f"expected a flat list of {self.noun} indices, got shape "
                          f"{array.shape} (np.flatnonzero gives one)")
        return np.unique(_whole(array, f"{self.noun} indices"))

    def same(self, got: np.ndarray, want: np.ndarray) -> bool:
        """The same indices (order and repeats do not matter)."""
        return bool(np.array_equal(got, want))

    def diagnose(self, got: np.ndarray, want: np.ndarray) -> str:
        """Out of range, or how many are extra and missing."""
        if got.size and (got.min() < 0 or got.max() >= self.count):
            return f"indices must be in 0..{self.count - 1} (there are {self.count} {self.noun}s)"
        extra, missing = np.setdiff1d(got, want).size, np.setdiff1d(want, got).size
        return (f"{extra} of your {self.noun}s should not be in the list, and {missing} "
                f"are missing")


class Choice:
    """One of a few named options (a concept or predict-then-check question).

    Parameters
    ----------
    options : sequence of str
        The accepted answers, e.g. ``("softmax", "sigmoid", "both", "neither")``;
        case and surrounding spaces do not matter.
    """

    def __init__(self, options: Sequence[str]):
        self.options = tuple(str(option).strip().lower() for option in options)

    def read(self, answer: Any) -> str:
        """The answer as one of the options (lower case)."""
        if not isinstance(answer, str):
            raise Problem(f"expected one of {list(self.options)} (a string, in quotes), "
                          f"got {type(answer).__name__} {answer!r:.60}")
        key = answer.strip().lower()
        if key not in self.options:
            raise Problem(f"expected one of {list(self.options)}, got {answer!r:.60}")
        return key

    def same(self, got: str, want: str) -> bool:
        """The same option."""
        return got == want

    def diagnose(self, got: str, want: str) -> str:
        """Another option."""
        return f"{got!r} is not the answer"


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
    kind : Kind
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
                 answer: Callable[[], Any], kind: Kind, why: str | Callable[[], str],
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
    def expected(self) -> Any:
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

    def check(self, answer: Any = ...) -> bool | None:
        """Check an answer and print a teaching message.

        Parameters
        ----------
        answer : any
            The student's answer; ``...`` (left unanswered) is not an error.

        Returns
        -------
        bool or None
            True if the answer is right, False if not; None (which a notebook
            does not echo) when it is still ``...``: unanswered is not wrong.
        """
        if answer is Ellipsis:
            _show(f"Unanswered: replace `...` with your answer (`{self.var} = <your code>`), "
                  f"run the cell, and it is checked here. Stuck? `{self.label}.hint()`, then "
                  f"`{self.label}.solution()`.")
            return None
        try:
            got = self.kind.read(answer)
        except Problem as problem:
            _show(f"Not quite: {problem}.")
            return False
        if self.kind.same(got, self.expected):
            why = self._why() if callable(self._why) else self._why
            _show(f"Correct! {why[:1].upper()}{why[1:]}")
            return True
        _show(f"Not quite: {self._what_is_wrong(got)}")
        return False

    def _what_is_wrong(self, got: Any) -> str:
        """The message of the typical mistake ``got`` matches, else a generic diagnosis."""
        for value, message in self._variants:
            if value is not None and self.kind.same(got, value):
                return message
        return f"{self.kind.diagnose(got, self.expected)}. Try `{self.label}.hint()`."

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

    def typical_mistakes(self) -> list[tuple[Any, str]]:
        """The typical wrong answers and their messages: ``[(answer, message), ...]``.

        Each answer, passed to :meth:`check`, prints ``"Not quite: " + message``
        (the tests use this to see every message on the notebook's own data).
        """
        return [(make(), message) for make, message in self.mistakes]

    def namespace(self) -> dict[str, Any]:
        """The names the solution uses: bound data, earlier answers, ``np`` and ``ct``."""
        earlier = {q.var: q.expected for q in self.previous}
        return {"np": np, "ct": ct, **self.data, **earlier}


class Sheet:
    """Collects one lesson's exercises: numbers them and shares the bound data.

    Parameters
    ----------
    **data
        The bound data, by the names the solutions use.
    """

    def __init__(self, **data: Any):
        self.data: dict[str, Any] = data
        self.exercises: list[Exercise] = []

    def add(self, **spec: Any) -> Exercise:
        """Add the next exercise (q1, q2, ...); ``spec`` as for :class:`Exercise`."""
        exercise = Exercise(label=f"q{len(self.exercises) + 1}", data=self.data,
                            previous=tuple(self.exercises), **spec)
        self.exercises.append(exercise)
        return exercise
