"""The lessons registry is the one list of lessons: notebooks, exercises, widgets, README."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

from camteach import widgets
from camteach.lessons import LESSONS, lesson

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def _source(notebook: str) -> list[str]:
    cells = json.loads((NOTEBOOKS / notebook).read_text())["cells"]
    return ["".join(cell["source"]) for cell in cells]


def test_registry_and_notebooks_folder_agree_in_order():
    assert [row.number for row in LESSONS] == [f"{i:02d}" for i in range(len(LESSONS))]
    assert [row.notebook for row in LESSONS] == sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    for row in LESSONS:
        assert row.notebook.startswith(row.number + "_")


@pytest.mark.parametrize("row", LESSONS, ids=lambda row: row.number)
def test_notebook_opens_with_the_registered_title(row):
    assert _source(row.notebook)[0].splitlines()[0] == f"# {row.number} · {row.title}"


@pytest.mark.parametrize("row", LESSONS, ids=lambda row: row.number)
def test_notebook_imports_its_exercises_and_widgets(row):
    code = "\n".join(_source(row.notebook))
    if row.exercises:
        module = importlib.import_module(f"camteach.exercises.{row.exercises}")
        assert callable(module.bind)
        assert f"from camteach.exercises import {row.exercises}" in code
    for name in row.widgets:
        assert callable(getattr(widgets, name))
        assert re.search(rf"from camteach\.widgets import .*\b{name}\b", code)
    others = set(re.findall(r"from camteach\.widgets import ([\w, ]+)", code))
    used = {name.strip() for line in others for name in line.split(",")}
    assert used <= set(row.widgets), f"register {used - set(row.widgets)} in camteach/lessons.py"


@pytest.mark.parametrize("index", range(len(LESSONS)), ids=lambda i: LESSONS[i].number)
def test_notebook_links_its_neighbours_in_its_first_cell(index):
    """A student reading on the web moves along the path from the lesson's top."""
    first = _source(LESSONS[index].notebook)[0]
    links = dict(re.findall(r"(Previous|Next): \[[^\]]+\]\(([^)]+)\)", first))
    expected = {}
    if index > 0:
        expected["Previous"] = LESSONS[index - 1].notebook
    if index + 1 < len(LESSONS):
        expected["Next"] = LESSONS[index + 1].notebook
    assert links == expected


def test_readme_lesson_table_lists_exactly_the_registry():
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| (\d\d) \| \[[^\]]+\]\(notebooks/([^)]+)\)[^|]*\|\s*([^|]*?)\s*\|",
                      readme, re.M)
    assert [(number, notebook) for number, notebook, _ in rows] == \
        [(row.number, row.notebook) for row in LESSONS]
    for (_, _, widget_cell), row in zip(rows, LESSONS):
        for name in row.widgets:
            assert name.replace("_", " ") in widget_cell.replace("CAM", "cam")


def test_lesson_lookup():
    assert lesson(4) is lesson("04") is LESSONS[4]
    with pytest.raises(ValueError, match="number: expected one of"):
        lesson(42)
