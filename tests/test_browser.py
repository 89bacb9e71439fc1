"""Every lesson as a student sees it: JupyterLab in headless Chromium (Playwright).

For each lesson of ``camteach/lessons.py`` (one JupyterLab server and one
browser for all): open the notebook, Edit > Clear Outputs, Kernel > Restart
Kernel and Run All Cells (confirmed), wait until every code cell ran; then
nothing a student must never see (an error, a stderr/warning box, "Error
displaying widget", a raw ``VBox(...)`` repr, a bare ``False``), and every
control of every explorer changes its picture. The browser-side update times
are measured by ``tools/bench_browser.py`` (same harness); this test asserts
correctness, not time.

Needs Debian's ``chromium`` and the ``playwright`` package (never
``playwright install``); without them these tests skip and say what to install.
"""

from __future__ import annotations

import math
import warnings

import pytest

import browser_lab as bl
from camteach.lessons import LESSONS

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


@pytest.fixture(scope="module", params=LESSONS, ids=lambda row: row.number)
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
    if not row.widgets:
        assert explorers == [], f"{row.notebook} shows explorers lessons.py does not list"
        return
    for explorer in explorers:
        assert explorer.controls, f"{row.notebook}: explorer in cell {explorer.cell} has no control"
    moves = bl.move_every_control(page, times=2)
    unchanged = [(m.cell, m.control) for m in moves if not all(m.changed)]
    assert unchanged == [], f"{row.notebook}: moving these (cell, control) left the picture as it was"
    assert all(math.isfinite(ms) and ms > 0 for m in moves for ms in m.ms)
