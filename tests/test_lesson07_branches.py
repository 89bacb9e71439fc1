"""Lesson 07's real-network branch runs, and its checked claims hold there too.

The committed lesson (and nbval in ``python3 course.py test``) runs where the
ImageNet weights cannot be had: the offline branch (course model + ResNet50
``weights=None``). Here the lesson is executed again with
``CAMTEACH_FORCE_ARCHITECTURE_ONLY=1``: a ``weights=None`` ResNet50 plays the
real network on the photos, so the cells of the real-network branch run
(top-5 CAMs of a photo, one class over the photos, the preprocessing trap).
Every ``# NBVAL_CHECK_OUTPUT`` cell must print what the committed, offline
run printed, every printed solution must pass, and every figure is drawn.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from lesson_run import run_with_solutions, stdout

from camteach.networks import FORCE_ARCHITECTURE_ONLY

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "07_pretrained_network.ipynb"
CHECKED = "# NBVAL_CHECK_OUTPUT"


def _pngs(cell) -> int:
    return sum("image/png" in out.get("data", {}) for out in cell.outputs)


@pytest.fixture(scope="module")
def branches():
    """The committed (offline) notebook and a forced real-network run with solutions pasted."""
    committed = nbformat.read(NOTEBOOK, as_version=4)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(FORCE_ARCHITECTURE_ONLY, "1")          # the kernel inherits it
        notebook, answers, _ = run_with_solutions(NOTEBOOK, timeout=300)
    return committed, notebook, answers


def test_runs_without_errors_and_says_which_network(branches):
    committed, forced, _ = branches
    code = [cell for cell in forced.cells if cell.cell_type == "code"]
    errors = [out for cell in code for out in cell.outputs if out.output_type == "error"]
    assert not errors, errors[0].get("evalue") if errors else ""
    stderr = [out for cell in code for out in cell.outputs if out.get("name") == "stderr"]
    assert not stderr, "".join(out.text for out in stderr)
    status = next(stdout(cell) for cell in code if "print(net.status)" in cell.source)
    assert status.count("\n") == 1 and FORCE_ARCHITECTURE_ONLY in status
    assert "weights=None" in status
    offline = next(stdout(cell) for cell in committed.cells
                   if cell.cell_type == "code" and "print(net.status)" in cell.source)
    assert offline != status          # the two branches really differ


def test_checked_claims_hold_in_both_branches(branches):
    committed, forced, _ = branches
    pairs = [(a, b) for a, b in zip(committed.cells, forced.cells)
             if a.cell_type == "code" and a.source.startswith(CHECKED)]
    assert len(pairs) >= 4
    for offline, real in pairs:
        assert stdout(real) == stdout(offline), real.source.splitlines()[1]


def test_real_branch_shows_imagenet_classes_on_the_photos(branches):
    _, forced, _ = branches
    code = [cell for cell in forced.cells if cell.cell_type == "code"]
    top = next(stdout(cell) for cell in code if "top = min(5" in cell.source)
    assert len(top.splitlines()) == 5 and "softmax" in top      # top-5 of 1000, not the course's 4
    trap = next(stdout(cell) for cell in code if "net.trap(" in cell.source)
    assert trap.splitlines()[0].startswith("Chelsea the cat")
    assert len(trap.splitlines()) == 5


def test_every_figure_is_drawn_in_the_real_branch(branches):
    committed, forced, _ = branches
    drawn = [_pngs(cell) for cell in forced.cells if cell.cell_type == "code"]
    expected = [_pngs(cell) for cell in committed.cells if cell.cell_type == "code"]
    assert drawn == expected and sum(drawn) >= 4


def test_every_solution_passes_in_the_real_branch(branches):
    _, _, answers = branches
    assert sorted(answers) == ["q1", "q2", "q3", "q4", "q5"]
    for label, text in answers.items():
        assert text.startswith("Correct!"), f"{label}: {text}"
