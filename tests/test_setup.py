"""Setting up: the two ways to install the course describe the same environment, and
``course.py`` answers help, unknown commands and root as a newcomer needs."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from camteach.lessons import LESSONS

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


def _course(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "course.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_course_help_prints_usage_and_succeeds(flag):
    done = _course(flag)
    assert done.returncode == 0
    assert "python3 course.py lab" in done.stdout and "python3 course.py test" in done.stdout
    assert "unknown command" not in done.stdout + done.stderr


def test_course_names_an_unknown_command_and_fails_without_setting_up():
    done = _course("labb")
    assert done.returncode == 2
    assert "unknown command 'labb'" in done.stderr
    assert "python3 course.py lab" in done.stderr          # the usage follows
    assert "Creating the virtual environment" not in done.stdout + done.stderr


def _course_module():
    spec = importlib.util.spec_from_file_location("course_cli", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lab_allows_root_only_when_running_as_root():
    course = _course_module()
    as_root = course.lab_argv(["notebooks/x.ipynb"], as_root=True)
    as_user = course.lab_argv(["notebooks/x.ipynb"], as_root=False)
    assert as_root[1:] == ["lab", "--allow-root", "notebooks/x.ipynb"]
    assert as_user[1:] == ["lab", "notebooks/x.ipynb"]
    assert Path(as_user[0]).name.startswith("jupyter")
    # with no arguments it opens the first lesson of the registry
    assert course.lab_argv([], as_root=False)[-1] == f"notebooks/{LESSONS[0].notebook}"
    expected = hasattr(os, "geteuid") and os.geteuid() == 0
    assert course.running_as_root() is expected


def test_tests_run_in_parallel_workers_unless_the_caller_chose(monkeypatch):
    course = _course_module()
    monkeypatch.setattr(course.os, "cpu_count", lambda: 2)
    assert course.test_workers([]) == ["-n", "2", "--dist", "loadfile"]
    monkeypatch.setattr(course.os, "cpu_count", lambda: 16)
    assert course.test_workers(["tests/test_cam.py"])[:2] == ["-n", "4"]
    for chosen in (["-n", "1"], ["-n=3"], ["--numprocesses", "2"], ["-p", "no:xdist"]):
        assert course.test_workers(chosen) == []
    monkeypatch.setattr(course.os, "cpu_count", lambda: 1)
    assert course.test_workers([]) == []
