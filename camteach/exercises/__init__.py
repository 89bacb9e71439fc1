"""Checked exercises, one module per lesson, in the spirit of Kaggle's learntools.

Each lesson notebook ends with a few exercises bound to its own data::

    from camteach.exercises import lesson04
    q1, q2, q3, q4, q5 = lesson04.bind(F2=F2, c2=c2, W=W, b=b, F=F, c=c, logits=logits)
    cam2 = ...           # the student replaces ... with code
    q2.check(cam2)       # "Correct! ..." or what is wrong, e.g. "you added the bias"
    q2.hint()            # a hint; call again for a more specific one
    q2.solution()        # the solution code

``check`` computes the right answer from the bound data, and also the
typical *wrong* answers (bias added, max instead of mean, another class's
column, ...): an answer that matches one of them gets a message naming the
mistake. Wrong shapes, booleans or NaN get their own messages. An exercise
left as ``...`` prints that it is unanswered and what to do, and returns None
(nothing echoed, no error), so the committed notebooks run top to bottom.
Concept and predict-then-check questions take a string among a few options
(:class:`Choice`), with a teaching message for each wrong option.

``q.code`` is the solution text and ``q.typical_mistakes()`` the typical wrong
answers with their messages (``tests/test_solutions.py`` pastes the former into
each lesson's answer cells and checks the latter in the lesson's own kernel).

The solutions use the names of ``bind``'s arguments, the answers of the
lesson's earlier exercises (lesson 04's q3 uses q2's ``cam2``), ``np`` and
``ct`` (``import camteach as ct``): bind with variables of those names and a
solution runs as printed.

Layout: :mod:`.checking` holds what every lesson shares (the kinds of
answers, :class:`Exercise`, the sheet that numbers a lesson's exercises);
``lessonNN.py`` holds lesson NN's ``bind`` and what only it uses; :mod:`.distinct`
drops the typical mistakes that the bound data cannot tell apart. A new lesson
is one new ``lessonNN.py``: ``camteach.exercises.lessonNN`` is found by name
(its number and title live in the registry, :mod:`camteach.lessons`).
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType

from .checking import Box, Choice, Exercise, Index, IndexSet, Kind, Numbers

__all__ = ["Box", "Choice", "Exercise", "Index", "IndexSet", "Kind", "Numbers"]


def __getattr__(name: str) -> ModuleType:
    """``camteach.exercises.lesson04`` without importing it first (as before the split)."""
    if re.fullmatch(r"lesson\d\d", name):
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
