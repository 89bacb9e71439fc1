"""Every lesson runs with its printed solutions pasted in, and names its mistakes on its own data.

For each lesson of the registry with exercises, the notebook is executed in
its own folder (one kernel, as ``tools/run_notebooks.py`` does) from an
in-memory copy: just before each answer cell (``var = ...`` then
``qN.check(var)``) runs, the kernel is asked for ``qN.code`` (the text that
``qN.solution()`` prints) and that code replaces the ``var = ...`` line. Each
such cell must then print "Correct!". A last, appended cell passes every
typical mistake of every exercise (``q.typical_mistakes()``) to its
``check`` and must see that mistake's own message. The committed notebooks
are never written.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from lesson_run import ANSWER, CHECK, run_with_solutions

from camteach.lessons import LESSONS

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
WITH_EXERCISES = [row for row in LESSONS if row.exercises]

#: Run in the lesson's kernel after its last cell: every exercise it bound, every typical
#: mistake, the check's return value and what it printed, as one line of JSON.
MISTAKES = """
import contextlib as _contextlib, io as _io, json as _json
from camteach.exercises import Exercise as _Exercise
_report = []
for _name, _q in sorted(globals().items()):
    if isinstance(_q, _Exercise) and _name == _q.label:
        for _answer, _message in _q.typical_mistakes():
            _printed = _io.StringIO()
            with _contextlib.redirect_stdout(_printed):
                _result = _q.check(_answer)
            _report.append([_name, _message, _result, _printed.getvalue().strip()])
print("MISTAKES " + _json.dumps(_report))
"""


def _run_with_solutions(path: Path) -> tuple[dict[str, str], list]:
    """What each answer cell printed (by exercise label), and the mistakes report."""
    _, printed, report = run_with_solutions(path, after=MISTAKES)
    line = next(row for row in report.splitlines() if row.startswith("MISTAKES "))
    return printed, json.loads(line[len("MISTAKES "):])


@pytest.fixture(scope="module", params=WITH_EXERCISES, ids=lambda row: row.number)
def lesson_run(request):
    row = request.param
    path = NOTEBOOKS / row.notebook
    return row, path, *_run_with_solutions(path)


def test_every_pasted_solution_is_correct(lesson_run):
    row, path, printed, report = lesson_run
    labels = sorted({name for name, *_ in report}, key=lambda q: int(q[1:]))
    assert printed, f"{path.name}: no answer cells (`var = ...` then `qN.check(var)`)"
    assert sorted(printed, key=lambda q: int(q[1:])) == labels, \
        f"{path.name}: each bound exercise has one answer cell"
    for label, text in printed.items():
        assert "Correct!" in text, f"lesson {row.number} {label} with its solution:\n{text}"
        assert "Not quite" not in text and "Unanswered" not in text, text


def test_every_mistake_gets_its_message_on_the_lessons_data(lesson_run):
    row, path, printed, report = lesson_run
    assert report, f"{path.name}: no typical mistakes found in the kernel"
    for label, message, result, text in report:
        assert result is False and text == f"Not quite: {message}", \
            f"lesson {row.number} {label}: expected the message\n  {message}\ngot\n  {text}"


def test_the_committed_notebooks_stay_unanswered():
    for row in WITH_EXERCISES:
        cells = nbformat.read(NOTEBOOKS / row.notebook, as_version=4).cells
        answers = [c for c in cells if c.cell_type == "code" and CHECK.search(c.source)]
        assert answers and all(ANSWER.search(c.source) for c in answers), row.notebook
