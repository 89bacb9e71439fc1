"""The two ways to install the course describe the same environment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

tomllib = pytest.importorskip("tomllib")
ROOT = Path(__file__).resolve().parent.parent


def _requirement(text: str) -> tuple[str, str]:
    """(normalised name, version specifier) of a requirement, markers dropped."""
    text = text.split(";")[0].strip()
    name, spec = re.match(r"([A-Za-z0-9_.\-]+)(.*)", text).groups()
    name = re.sub(r"[-_.]+", "-", name).lower()
    return ("tensorflow" if name == "tensorflow-cpu" else name), spec.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_part = next(d["pip"] for d in conda["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_part
    assert {_requirement(r) for r in wanted} == {_requirement(r) for r in pip_part if r != "-e ."}
    python = next(d for d in conda["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert project["requires-python"] == ">=3.10" and python >= "python=3.10"


def test_constraints_pin_every_direct_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {_requirement(line)[0] for line in (ROOT / "constraints.txt").read_text().splitlines()
            if line and not line.startswith("#")}
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert _requirement(requirement)[0] in pins, requirement


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 course.py test" in readme and "python3 course.py test" in ci
    assert "python3 course.py lab" in readme
