"""Run a lesson in its own folder with every printed solution pasted in (shared by the tests).

Just before each answer cell (``var = ...`` then ``qN.check(var)``) runs, the
kernel is asked for ``qN.code`` (the text ``qN.solution()`` prints) and that
code replaces the ``var = ...`` line. The committed notebook is never written.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ANSWER = re.compile(r"^(\w+) = \.\.\.$", re.M)
CHECK = re.compile(r"^(q\d+)\.check\((\w+)\)$", re.M)


def stdout(cell) -> str:
    """What a cell printed (its stdout)."""
    return "".join(out.get("text", "") for out in cell.outputs
                   if out.output_type == "stream" and out.name == "stdout")


def ask(client: NotebookClient, code: str, index: int) -> str:
    """Run ``code`` in the lesson's kernel and return what it printed."""
    cell = nbformat.v4.new_code_cell(code)
    client.execute_cell(cell, index, store_history=False)
    return stdout(cell)


def run_with_solutions(path: Path, *, after: str | None = None, timeout: int = 600):
    """Execute a copy of the lesson at ``path`` with every solution pasted in.

    The kernel inherits this process's environment (set variables before calling).

    Returns
    -------
    notebook : nbformat.NotebookNode
        The executed copy.
    printed : dict str -> str
        What each answer cell printed, by exercise label.
    extra : str
        What ``after`` (code run in the kernel after the last cell) printed, or "".
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, startup_timeout=300,
                            kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    printed: dict[str, str] = {}
    extra = ""
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            answer, check = ANSWER.search(cell.source), CHECK.search(cell.source)
            if answer and check:
                label, var = check.groups()
                assert answer.group(1) == var, f"{path.name}: {label} checks another variable"
                code = ask(client, f"print({label}.code)", index).rstrip("\n")
                assert re.search(rf"^{var}\b", code, re.M), f"{label}.code assigns {var}"
                cell.source = ANSWER.sub(lambda _: code, cell.source, count=1)
            client.execute_cell(cell, index)
            # the kernel may have replaced the cell object in the notebook: read it back
            if answer and check:
                printed[check.group(1)] = stdout(notebook.cells[index])
        if after is not None:
            extra = ask(client, after, len(notebook.cells) - 1)
    return notebook, printed, extra
