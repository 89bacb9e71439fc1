"""Keep the typical mistakes that the bound data can tell apart.

On a notebook's own data two wrong routes can meet (with 4 classes, ranking maps by
their peak may give the same class as forgetting the bias), or a wrong route can give
the right answer: the message a student sees must name what they did, so such a
mistake is dropped when the exercises are bound.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .checking import Kind, Mistake

__all__ = ["distinct"]


def distinct(mistakes: Sequence[Mistake], answer: Callable[[], Any], kind: Kind
             ) -> list[Mistake]:
    """The mistakes whose answers differ from the right one and from earlier mistakes.

    Parameters
    ----------
    mistakes : sequence of (callable, str)
        Typical wrong answers and their messages, most telling first.
    answer : callable
        Computes the right answer.
    kind : Kind
        How answers are read and compared.

    Returns
    -------
    list of (callable, str)
        The mistakes to keep, in order (one that cannot be computed is dropped too).
    """
    want, seen, kept = kind.read(answer()), [], []
    for make, message in mistakes:
        try:
            value = kind.read(make())
        except Exception:                        # noqa: BLE001 (makes no sense on this data)
            continue
        if kind.same(value, want) or any(kind.same(value, other) for other in seen):
            continue
        seen.append(value)
        kept.append((make, message))
    return kept
