"""Re-execute the lessons top to bottom and store their outputs in place.

    python3 course.py notebooks                 # every lesson, in the registry's order
    python3 course.py notebooks notebooks/04*   # some of them

Outputs are deterministic (fixed seeds, no timing metadata), so a re-run
changes a committed notebook only where the lesson itself changed. Prints
each notebook's run time.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from camteach.lessons import LESSONS

ROOT = Path(__file__).resolve().parent.parent


def execute(path: Path, timeout: int = 600) -> float:
    """Run one notebook in its own folder; return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, path)
    return seconds


def main(argv: list[str]) -> int:
    paths = ([Path(p).resolve() for p in argv]
             or [ROOT / "notebooks" / lesson.notebook for lesson in LESSONS])
    print(f"{'notebook':40s} {'seconds':>8s}")
    for path in paths:
        print(f"{path.name:40s} {execute(path):8.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
