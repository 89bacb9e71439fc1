#!/usr/bin/env python3
"""Set up the course and run it: one command for each thing you want to do.

    python3 course.py lab         # set up, then open the course in JupyterLab
    python3 course.py test        # set up, then run every test (notebooks included)
    python3 course.py notebooks   # set up, then re-execute every lesson in place
    python3 course.py bench       # set up, then print the CAM speed benchmark
    python3 course.py train       # set up, then retrain the shipped course models
    python3 course.py evaluate    # set up, then print the course models' figures
    python3 course.py rank        # set up, then rank the Grad-CAM family on unseen scenes
    python3 course.py lime        # set up, then measure Grad-CAM against LIME
    python3 course.py leaderboard # set up, then score every method on every metric
    python3 course.py slides      # set up, then build the classroom decks offline
    python3 course.py --help      # this text

Arguments after the command go to the tool it runs (``test``: pytest, which runs
one worker per core, at most 4, unless given ``-n``;
``lab``: the notebooks to open). As root (Docker, many JupyterHub images),
``lab`` passes ``--allow-root`` to Jupyter and says so.

"Set up" makes a virtual environment in ``.venv/`` beside this file and
installs the course into it (``pip install -e .[test]`` with the pinned
versions of ``constraints.txt``). It runs again only when ``pyproject.toml``
or ``constraints.txt`` change. Needs only Python >= 3.10 with pip and venv.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / "camteach-installed.txt"
LAB_SETTINGS = {
    # No news pop-up, no update check (the course runs offline), and render
    # every cell so that long lessons scroll smoothly.
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                     "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "constraints.txt"):
        digest.update((ROOT / name).read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def _run(*args: object, **kwargs) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kwargs)


def test_workers(args: list[str]) -> list[str]:
    """pytest-xdist options: one worker per core, at most 4 (each holds TensorFlow).

    Each test file runs whole in one worker (``--dist loadfile``: a notebook's
    cells in order, a module's fixtures built once). None when the caller
    chose (``-n``, ``-p no:xdist``) or there is one core.
    """
    chosen = any(a in ("-n", "--numprocesses", "no:xdist") or a.startswith(("-n=", "--numprocesses="))
                 for a in args)
    workers = min(os.cpu_count() or 1, 4)
    return [] if chosen or workers < 2 else ["-n", str(workers), "--dist", "loadfile"]


def setup() -> None:
    """Create ``.venv`` and install the course into it, if not done already."""
    if sys.version_info < (3, 10):
        sys.exit(f"camteach needs Python >= 3.10; this is {sys.version.split()[0]}")
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    if not PYTHON.exists():
        print(f"Creating the virtual environment {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "-c", ROOT / "constraints.txt",
         "-e", f"{ROOT}[test]")
    settings = VENV / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(json.dumps(LAB_SETTINGS, indent=2))
    STAMP.write_text(_fingerprint())


def first_lesson() -> str:
    """The first notebook of the learning path (``camteach/lessons.py``, read without installing)."""
    spec = importlib.util.spec_from_file_location("lessons", ROOT / "camteach" / "lessons.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module          # dataclasses look their module up
    spec.loader.exec_module(module)
    return f"notebooks/{module.LESSONS[0].notebook}"


SCRIPTS = {"notebooks": "run_notebooks.py", "bench": "bench_cam.py",
           "train": "train_course_model.py", "evaluate": "evaluate_course_model.py",
           "rank": "rank_methods.py", "lime": "compare_lime.py",
           "leaderboard": "leaderboard.py", "slides": "build_slides.py"}
COMMANDS = ("lab", "test", *SCRIPTS)


def running_as_root() -> bool:
    """True when this process runs as root (Docker, many JupyterHub images); never on Windows."""
    return getattr(os, "geteuid", lambda: -1)() == 0


def lab_argv(rest: list[str], as_root: bool) -> list[str]:
    """The command that opens JupyterLab: ``rest`` (default: the first lesson).

    Jupyter refuses to start as root unless told ``--allow-root``; it is
    passed only when ``as_root``.
    """
    start = rest or [first_lesson()]
    return [str(BIN / "jupyter"), "lab", *(["--allow-root"] if as_root else []), *start]


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    if not argv or argv[0] not in COMMANDS:
        if argv:
            print(f"unknown command {argv[0]!r}; expected one of: {', '.join(COMMANDS)}",
                  file=sys.stderr)
        print(__doc__, file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    setup()
    env = dict(os.environ, PYTHONHASHSEED="0", TF_CPP_MIN_LOG_LEVEL="2",
               KERAS_BACKEND="tensorflow", PYDEVD_DISABLE_FILE_VALIDATION="1")
    if command == "lab":
        as_root = running_as_root()
        if as_root:
            print("Running as root: starting JupyterLab with --allow-root.", flush=True)
        return subprocess.call(lab_argv(rest, as_root), cwd=ROOT, env=env)
    if command == "test":
        return subprocess.call([str(PYTHON), "-m", "pytest", "--nbval-lax", "--nbval-current-env",
                                *test_workers(rest), "--durations=15", *rest], cwd=ROOT, env=env)
    return subprocess.call([str(PYTHON), str(ROOT / "tools" / SCRIPTS[command]), *rest],
                           cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
