"""Every lesson as a student sees it: JupyterLab in headless Chromium (Playwright).

For each lesson of ``camteach/lessons.py`` with an explorer (one JupyterLab
server and one browser for all): open the notebook, Edit > Clear Outputs, Kernel > Restart
Kernel and Run All Cells (confirmed), wait until every code cell ran; then
nothing a student must never see (an error, a stderr/warning box, "Error
displaying widget", a raw ``VBox(...)`` repr, a bare ``False``), and every
control of every explorer changes its picture; a lesson without an explorer is
only opened (its stored outputs, as a student first sees it) and must show
none of that. Each classroom deck of ``slides/`` opened in the same
JupyterLab presents live with one click on RISE's toolbar button. The browser-side update times
are measured by ``tools/bench_browser.py`` (same harness); this test asserts
correctness, not time.

Needs Debian's ``chromium`` and the ``playwright`` package (never
``playwright install``); without them these tests skip and say what to install.
"""

from __future__ import annotations

import importlib.util
import math
import sys
import warnings
from pathlib import Path

import nbformat
import pytest

import browser_lab as bl
from camteach.lessons import LESSONS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_slides  # noqa: E402

MISSING = bl.missing()
if MISSING is not None:
    warnings.warn(f"browser tests skipped: {MISSING}", stacklevel=1)
pytestmark = pytest.mark.skipif(MISSING is not None, reason=f"browser tests skipped: {MISSING}")


@pytest.fixture(scope="module")
def lab():
    with bl.JupyterLab() as server:
        yield server


@pytest.fixture(scope="module")
def chromium():
    with bl.browser() as context:
        yield context


#: Lessons with an explorer get the full check (Restart and Run All, every control moved);
#: the others are opened as a student first sees them (their stored outputs): clean, no explorer.
WITH_EXPLORERS = [row for row in LESSONS if row.widgets]
WITHOUT_EXPLORERS = [row for row in LESSONS if not row.widgets]
#: RISE is the same for every deck: the first and the last (their content: tests/test_slides.py).
DECKS = sorted((ROOT / "slides").glob("[0-9][0-9]_*.ipynb"))
LIVE_DECKS = DECKS[:1] + DECKS[-1:] if len(DECKS) > 1 else DECKS


@pytest.fixture(scope="module", params=WITH_EXPLORERS, ids=lambda row: row.number)
def ran(request, lab, chromium):
    """(lesson row, its page after Restart and Run All); one lesson (and kernel) at a time."""
    page = bl.LessonPage.open(chromium, lab, request.param.notebook)
    try:
        page.restart_and_run_all(log=lab.log)
        yield request.param, page
    finally:
        page.close()
        lab.shutdown_kernels()


def test_restart_and_run_all_shows_no_error_and_no_warning_box(ran):
    row, page = ran
    prompts = page.prompts()
    not_run = [i for i, p in enumerate(prompts) if not p[1:-2].strip().isdigit()]
    problems = page.problems()
    assert not_run == [], (f"{row.notebook}: code cells {not_run} (counting code cells only) "
                           f"did not run; the page shows (cell, kind, text): {problems}")
    assert problems == [], f"{row.notebook} shows (cell, kind, text): {problems}"


def test_every_control_of_every_explorer_changes_its_picture(ran):
    row, page = ran
    explorers = page.explorers()
    assert len(explorers) >= len(row.widgets), (
        f"{row.notebook}: lessons.py lists explorers {row.widgets}, the page shows "
        f"{len(explorers)}")
    for explorer in explorers:
        assert explorer.controls, f"{row.notebook}: explorer in cell {explorer.cell} has no control"
    moves = bl.move_every_control(page, times=2)
    stuck = [(m.cell, m.control) for m in moves if not m.usable]
    assert stuck == [], f"{row.notebook}: these (cell, control) stay disabled whatever is chosen"
    unchanged = [(m.cell, m.control) for m in moves if not all(m.changed)]
    assert unchanged == [], f"{row.notebook}: moving these (cell, control) left the picture as it was"
    assert all(math.isfinite(ms) and ms > 0 for m in moves for ms in m.ms)


@pytest.mark.parametrize("row", WITHOUT_EXPLORERS, ids=lambda row: row.number)
def test_lesson_without_explorer_opens_clean_with_its_stored_outputs(row, lab, chromium):
    """The cheap check (no Run All: these lessons' outputs are checked by test_notebooks)."""
    page = bl.LessonPage.open(chromium, lab, row.notebook)
    try:
        assert page.problems() == [], f"{row.notebook} shows (cell, kind, text): {page.problems()}"
        assert page.explorers() == [], f"{row.notebook} shows explorers lessons.py does not list"
    finally:
        page.close()
        lab.shutdown_kernels()


@pytest.mark.parametrize("deck", LIVE_DECKS, ids=lambda p: p.stem[:2])
def test_deck_presents_live_with_rise_in_one_click(deck, lab, chromium):
    """slides/<deck> open in JupyterLab; one click on RISE's toolbar button shows its slides."""
    if importlib.util.find_spec("jupyterlab_rise") is None:
        pytest.skip("jupyterlab-rise is not installed (pip install jupyterlab-rise)")
    shown = bl.present_with_rise(chromium, lab, deck.name)
    try:
        assert shown.slides == build_slides.expected_slides(deck)
        first = next(c for c in nbformat.read(deck, as_version=4).cells
                     if c.metadata.get("slideshow", {}).get("slide_type") == "slide")
        title = first.source.splitlines()[0].lstrip("# ").strip()
        assert title.lower() in shown.first.lower(), (title, shown.first[:200])
        assert shown.placeholders == 0, "collapsed code shows on the slides (slides/rise.css?)"
    finally:
        shown.page.close()
