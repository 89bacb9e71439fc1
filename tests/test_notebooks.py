"""The lessons as committed: executed in order, claims checked, exercises left open.

(nbval, in the README's test command, re-runs every notebook; these checks
look at what students read on the web without running anything.)
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from camteach.lessons import LESSONS

NOTEBOOKS = [Path(__file__).resolve().parent.parent / "notebooks" / row.notebook
             for row in LESSONS]


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_with_outputs_in_order_and_no_errors(path):
    code = [cell for cell in _cells(path) if cell["cell_type"] == "code"]
    counts = [cell["execution_count"] for cell in code]
    assert counts == list(range(1, len(code) + 1)), "re-run with `python3 course.py notebooks`"
    errors = [out for cell in code for out in cell["outputs"] if out["output_type"] == "error"]
    assert not errors
    checked = [cell for cell in code if "# NBVAL_CHECK_OUTPUT" in _source(cell)]
    assert checked and all(cell["outputs"] for cell in checked)
    stderr = [cell for cell in checked for out in cell["outputs"] if out.get("name") == "stderr"]
    assert not stderr, "checked cells must not print to stderr (warnings change between runs)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_structure_and_open_exercises(path):
    cells = _cells(path)
    first, last = _source(cells[0]), _source(cells[-1]) + _source(cells[-2])
    assert first.startswith(f"# {path.name[:2]} ")
    links = re.findall(r"\]\((\d\d_[a-z_]+\.ipynb)\)", "".join(_source(c) for c in cells))
    for link in links:
        assert (path.parent / link).exists(), f"broken link to {link}"
    if not path.name.startswith("00"):         # 00 is the welcome: no lesson intro or recap
        assert "In this lesson you will" in first and "Recap" in last
    answers = [c for c in cells if c["cell_type"] == "code" and ".check(" in _source(c)]
    assert len(answers) >= 2
    for cell in answers:
        assert re.search(r"^\w+ = \.\.\.$", _source(cell), re.M), "exercises stay unanswered"
        assert any("replace `...`" in "".join(out.get("text", "")) for out in cell["outputs"])
        echoed = [out for out in cell["outputs"] if out["output_type"] == "execute_result"]
        assert not echoed, "an unanswered check says so in words, with no bare False echoed"
