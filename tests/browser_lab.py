"""The course as a student sees it: JupyterLab in headless Chromium, driven by Playwright.

Used by ``tests/test_browser.py`` and ``tools/bench_browser.py`` (not collected
by pytest: its name does not start with ``test_``)::

    with JupyterLab() as lab, browser() as chromium:
        page = LessonPage.open(chromium, lab, "02_pooling.ipynb")
        run_time = page.restart_and_run_all()
        page.problems()                       # what a student must never see
        for explorer in page.explorers():
            for control in explorer.controls:
                explorer.move(control)        # -> (picture changed?, milliseconds)

The server is the course's own JupyterLab (``.venv/bin/jupyter lab``) with
the settings ``course.py`` writes (no news pop-up, every cell rendered),
``--allow-root`` only as root, on 127.0.0.1 with a free port and a random
token. It serves a temporary copy of ``notebooks/`` with autosave off, and
its config, data, runtime and settings directories are temporary too:
nothing is written to the repository or to ``~/.jupyter``. It is stopped by
its process id.

The browser is Debian's ``/usr/bin/chromium`` (never ``playwright install``).
:func:`missing` says what is missing when either is not installed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
JUPYTER = ROOT / ".venv" / "bin" / "jupyter"
SLIDES = ROOT / "slides"
CHROMIUM = Path(os.environ.get("CAMTEACH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}
START_TIMEOUT = 90.0        # seconds for JupyterLab to answer /api/status
RUN_ALL_TIMEOUT = 300.0     # seconds for one lesson's Restart and Run All
STALL = 90.0              # seconds a restarted kernel may stay "starting"
UPDATE_TIMEOUT = 10.0       # seconds for one picture to change after a control moves
QUIET = 0.35                # seconds without a new picture: the update is over


def _course_module():
    """``course.py`` (its ``LAB_SETTINGS`` and ``lab_argv``), loaded without running it."""
    spec = importlib.util.spec_from_file_location("camteach_course_cli", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def missing() -> str | None:
    """Why the browser tests cannot run here (what to install), or None."""
    if importlib.util.find_spec("playwright") is None:
        return ("the Python package playwright is not installed: "
                "run `python3 course.py test` (it installs the test extras) or "
                "`.venv/bin/pip install playwright` (never `playwright install`)")
    if not CHROMIUM.exists():
        return (f"no Chromium at {CHROMIUM}: install Debian's browser with "
                "`apt-get install -y chromium` (or set CAMTEACH_CHROMIUM to its path)")
    if not JUPYTER.exists():
        return f"no JupyterLab at {JUPYTER}: run `python3 course.py test` once to set up .venv"
    return None


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_settings(directory: Path, settings: dict) -> None:
    """JupyterLab user settings (``<plugin id>`` -> values), one file per plugin."""
    for plugin, values in settings.items():
        package, name = plugin.split(":")
        path = directory / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


class JupyterLab:
    """The course's JupyterLab on a temporary copy of ``notebooks/``; a context manager."""

    def __init__(self, notebooks: Path = ROOT / "notebooks"):
        self.notebooks = notebooks
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.log: Path | None = None

    def start(self) -> JupyterLab:
        course = _course_module()
        self._tmp = tempfile.TemporaryDirectory(prefix="camteach-lab-")
        tmp = Path(self._tmp.name)
        served = tmp / "course" / "notebooks"
        shutil.copytree(self.notebooks, served, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        # the classroom decks too (presented live with RISE), without their build and npm assets
        shutil.copytree(SLIDES, tmp / "course" / "slides",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "_build", "_vendor"))
        settings = dict(course.LAB_SETTINGS)
        # The repository is never written: a copy is served, and not even it is saved.
        settings["@jupyterlab/docmanager-extension:plugin"] = {"autosave": False}
        _write_settings(tmp / "settings", settings)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTEST"))}
        env.update(PYTHONHASHSEED="0", TF_CPP_MIN_LOG_LEVEL="2", KERAS_BACKEND="tensorflow",
                   PYDEVD_DISABLE_FILE_VALIDATION="1",    # as `python3 course.py lab`
                   JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_DATA_DIR=str(tmp / "data"),
                   JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
                   JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"))
        flags = ["--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
                 f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={tmp / 'course'}",
                 "--ServerApp.port_retries=0"]
        argv = course.lab_argv(flags, course.running_as_root())
        argv[0] = str(JUPYTER)
        self.log = tmp / "jupyter.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(argv, cwd=tmp / "course", env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({self.process.returncode}):\n"
                                   + self.log.read_text(errors="replace")[-3000:])
            try:
                with urllib.request.urlopen(self.api("status"), timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer /api/status in {START_TIMEOUT:.0f} s")

    def api(self, path: str) -> str:
        return f"{self.url}/api/{path}?token={self.token}"

    def notebook_url(self, notebook: str) -> str:
        return f"{self.url}/lab/tree/notebooks/{notebook}?token={self.token}&reset"

    def deck_url(self, deck: str) -> str:
        """A classroom deck of ``slides/`` (served beside the lessons) in JupyterLab."""
        return f"{self.url}/lab/tree/slides/{deck}?token={self.token}&reset"

    def shutdown_kernels(self) -> None:
        """Stop every kernel (between lessons: one TensorFlow kernel at a time)."""
        with urllib.request.urlopen(self.api("kernels"), timeout=5) as answer:
            kernels = json.load(answer)
        for kernel in kernels:
            request = urllib.request.Request(self.api(f"kernels/{kernel['id']}"), method="DELETE")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(request, timeout=10).close()

    def stop(self) -> None:
        """Stop the server (and its kernels) by its process id."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)     # its own session: server + kernels
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> JupyterLab:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------

@contextlib.contextmanager
def browser() -> Iterator:
    """Headless Debian Chromium with a new, empty profile: a Playwright ``BrowserContext``."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="camteach-chromium-") as profile, \
            sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            viewport=VIEWPORT)
        try:
            yield context
        finally:
            context.close()


# --------------------------------------------------------------------------
# A lesson in the browser
# --------------------------------------------------------------------------

#: Installed once per page: the time of the first input event after ``arm``,
#: and the time of every new picture of the armed explorer.
_TIMING_JS = """() => {
  if (window.__ct) return;
  window.__ct = {t0: null, loads: [], img: null};
  for (const ev of ['keydown', 'pointerdown', 'input', 'change'])
    document.addEventListener(ev, () => {
      if (window.__ct.img && window.__ct.t0 === null) window.__ct.t0 = performance.now();
    }, true);
}"""

#: What a student must never see, as (cell number, kind, text) rows.
_PROBLEMS_JS = """() => {
  const cells = Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell'));
  const where = el => cells.indexOf(el.closest('.jp-Cell'));
  const found = [];
  for (const el of document.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
    found.push([where(el), 'stderr or error box', el.innerText.slice(0, 400)]);
  for (const el of document.querySelectorAll('.jp-OutputArea-output')) {
    const text = el.innerText.trim();
    if (text.includes('Error displaying widget'))
      found.push([where(el), 'widget not displayed', text.slice(0, 200)]);
    if (el.dataset.mimeType === 'text/plain') {
      if (/^(VBox|HBox|interactive)\\(/.test(text))
        found.push([where(el), 'raw widget repr', text.slice(0, 200)]);
      if (text === 'False') found.push([where(el), 'bare False', text]);
    }
  }
  return found;
}"""

#: Tags each explorer (an image widget in a box with controls) and its controls.
_EXPLORERS_JS = """() => {
  const kinds = [['slider', '.widget-hslider'], ['dropdown', '.widget-dropdown'],
                 ['toggle', '.widget-toggle-buttons'], ['checkbox', '.widget-checkbox'],
                 ['button', 'button.widget-button']];
  const found = [];
  document.querySelectorAll('img.widget-image').forEach((img, e) => {
    const box = img.closest('.widget-vbox');
    if (!box) return;
    img.dataset.ctPicture = String(e);
    img.addEventListener('load', () => {
      if (window.__ct.img === img) window.__ct.loads.push(performance.now());
    });
    const controls = [];
    for (const [kind, selector] of kinds)
      box.querySelectorAll(selector).forEach(el => {
        const label = el.querySelector('.widget-label');
        const name = (label && label.innerText.trim()) || el.innerText.trim() || kind;
        el.dataset.ctControl = `${e}-${controls.length}`;
        controls.push([el.dataset.ctControl, kind, name]);
      });
    const cells = Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell'));
    found.push([String(e), cells.indexOf(img.closest('.jp-Cell')), controls]);
  });
  return found;
}"""

_HASH_JS = """async img => {
  const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
  let h = 2166136261;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 16777619) >>> 0;
  return `${bytes.length}:${h}`;
}"""


@dataclass
class Control:
    """One control of an explorer, as tagged in the page."""

    key: str
    kind: str        # slider, dropdown, toggle, checkbox or button
    name: str        # its label


@dataclass
class Explorer:
    """One explorer in the page: its picture and its controls."""

    page: object
    key: str
    cell: int
    controls: list[Control]

    @property
    def picture(self):
        return self.page.locator(f'img[data-ct-picture="{self.key}"]')

    def picture_hash(self) -> str:
        return self.picture.evaluate(_HASH_JS)

    def move(self, control: Control) -> tuple[bool, float]:
        """Change ``control`` as a student would; (did the picture change?, milliseconds).

        The time runs from the first input event (key, pointer, input or change)
        to the last new picture, once no new picture came for ``QUIET`` seconds.
        """
        before = self.picture_hash()
        self.picture.evaluate("img => { window.__ct.img = img; window.__ct.t0 = null;"
                              " window.__ct.loads = []; }")
        self._act(self.page.locator(f'[data-ct-control="{control.key}"]'), control.kind)
        deadline = time.monotonic() + UPDATE_TIMEOUT
        while time.monotonic() < deadline:
            done = self.page.evaluate(
                f"""() => {{ const c = window.__ct, n = c.loads.length;
                    return n > 0 && performance.now() - c.loads[n - 1] > {QUIET * 1000}; }}""")
            if done:
                break
            time.sleep(0.05)
        t0, loads = self.page.evaluate("() => [window.__ct.t0, window.__ct.loads]")
        self.page.evaluate("() => { window.__ct.img = null; }")
        if not loads or t0 is None:
            return False, float("nan")
        return self.picture_hash() != before, loads[-1] - t0

    def enabled(self, control: Control) -> bool:
        """False while the control is disabled (e.g. an option that only applies to a choice)."""
        return not self.page.locator(f'[data-ct-control="{control.key}"]').evaluate(
            "el => !!el.querySelector('select:disabled, input:disabled, button:disabled, "
            ".noUi-target[disabled]') || el.matches('button:disabled')")

    def enable(self, control: Control, tries: int = 6) -> bool:
        """Make a disabled control usable as a student would: change the explorer's other
        choices (drop-downs, toggles) one step at a time until it is enabled."""
        choices = [c for c in self.controls if c is not control and c.kind in ("dropdown", "toggle")]
        for choice in choices:
            for _ in range(tries):
                if self.enabled(control):
                    return True
                self.move(choice)
        return self.enabled(control)

    def _act(self, element, kind: str) -> None:
        if kind == "slider":
            handle = element.locator(".noUi-handle").first
            now, top = (float(handle.get_attribute(a) or 0)
                        for a in ("aria-valuenow", "aria-valuemax"))
            handle.focus()
            handle.press("ArrowLeft" if now >= top else "ArrowRight")
        elif kind == "dropdown":
            select = element.locator("select")
            count = select.locator("option").count()
            index = select.evaluate("s => s.selectedIndex")
            select.select_option(index=(index + 1) % count)
        elif kind == "toggle":
            element.locator("button.widget-toggle-button:not(.mod-active)").first.click()
        elif kind == "checkbox":
            element.locator("input").click()
        else:
            element.click()


class LessonPage:
    """One lesson open in JupyterLab (a Playwright ``Page``)."""

    def __init__(self, page, notebook: str):
        self.page = page
        self.notebook = notebook

    @classmethod
    def open(cls, context, lab: JupyterLab, notebook: str) -> LessonPage:
        page = context.new_page()
        page.goto(lab.notebook_url(notebook))
        cells = json.loads((lab.notebooks / notebook).read_text())["cells"]
        code = sum(cell["cell_type"] == "code" for cell in cells)
        page.wait_for_function(       # the whole notebook is in the page, not only its top
            "n => document.querySelectorAll('.jp-Notebook .jp-CodeCell').length === n",
            arg=code, timeout=90_000)
        lesson = cls(page, notebook)
        lesson._wait_status("idle", 90)
        page.evaluate(_TIMING_JS)
        return lesson

    def status(self) -> str:
        return self.page.evaluate("""() => { const el = document.querySelector(
            '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator')
            || document.querySelector('.jp-Notebook-ExecutionIndicator');
            return el ? el.dataset.status : 'none'; }""")

    def _wait_status(self, status: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.status() != status:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.notebook}: kernel not {status} after {timeout:.0f} s "
                                   f"(status {self.status()!r})")
            time.sleep(0.2)

    def _menu(self, menu: str, item: str) -> None:
        self.page.locator(".lm-MenuBar-item", has_text=menu).first.click()
        self.page.locator(".lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel",
                          has_text=item).first.click()

    def prompts(self) -> list[str]:
        """The input prompts of the code cells ("[3]:", "[*]:", "[ ]:")."""
        return self.page.evaluate("""() => Array.from(document.querySelectorAll(
            '.jp-Notebook .jp-CodeCell .jp-InputPrompt')).map(e => e.innerText.trim())""")

    def restart_and_run_all(self, timeout: float = RUN_ALL_TIMEOUT, log: Path | None = None) -> float:
        """Clear the outputs, then Kernel > Restart Kernel and Run All Cells (confirmed);
        wait until every code cell ran (or one failed) and the kernel is idle.

        A kernel still "starting" ``STALL`` seconds after the restart (seen on a
        machine loaded ~8x its cores) is restarted once more, as a student would.
        Returns the seconds from the (last) confirmation to the end.
        """
        try:
            return self._restart_and_run_all(timeout, log)
        except Exception as err:
            if "crashed" in str(err):     # Playwright: "Target crashed"
                raise RuntimeError(f"{self.notebook}: Chromium's tab crashed during Run All "
                                   "(out of memory? see `dmesg`)") from err
            raise

    def _restart_and_run_all(self, timeout: float, log: Path | None) -> float:
        self._menu("Edit", "Clear Outputs of All Cells")
        for attempt in range(2):
            self._menu("Kernel", "Restart Kernel and Run All Cells")
            self.page.locator(".jp-Dialog .jp-mod-accept").click()
            start = time.monotonic()
            while time.monotonic() - start < timeout:
                prompts, status = self.prompts(), self.status()
                ran = [p for p in prompts if p[1:-2].strip().isdigit()]
                busy = any("*" in p for p in prompts)
                # Queued cells show [*] until they ran; after an error the rest show [ ].
                if ran and not busy and status == "idle":
                    return time.monotonic() - start
                if (attempt == 0 and not ran and status in ("starting", "unknown")
                        and time.monotonic() - start > STALL):
                    break
                time.sleep(0.25)
            else:
                break
        shot = Path(tempfile.gettempdir()) / f"camteach-stuck-{Path(self.notebook).stem}.png"
        self.page.screenshot(path=str(shot))
        tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
        raise TimeoutError(f"{self.notebook}: Run All not done after {timeout:.0f} s; kernel "
                           f"{self.status()!r}, prompts {self.prompts()}; screenshot {shot}\n"
                           f"JupyterLab log:\n{tail}")

    def problems(self) -> list[tuple[int, str, str]]:
        """What a student must never see: (cell index, kind, text) for each."""
        return [tuple(row) for row in self.page.evaluate(_PROBLEMS_JS)]

    def explorers(self) -> list[Explorer]:
        return [Explorer(self.page, key, cell, [Control(*c) for c in controls])
                for key, cell, controls in self.page.evaluate(_EXPLORERS_JS)]

    def screenshots(self, stem: Path) -> list[Path]:
        """The whole notebook, one viewport at a time: ``stem-01.png``, ``stem-02.png``, ..."""
        scroller = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) "
                                     ".jp-WindowedPanel-outer").first
        height, view = scroller.evaluate("e => [e.scrollHeight, e.clientHeight]")
        paths = []
        for i, top in enumerate(range(0, max(height, 1), max(view - 40, 100))):
            scroller.evaluate(f"e => {{ e.scrollTop = {top}; }}")
            time.sleep(0.15)
            paths.append(stem.with_name(f"{stem.name}-{i + 1:02d}.png"))
            scroller.screenshot(path=str(paths[-1]))
        return paths

    def close(self) -> None:
        self.page.close(run_before_unload=False)


# --------------------------------------------------------------------------
# What the test and the benchmark do with a lesson
# --------------------------------------------------------------------------

@dataclass
class Move:
    """A control moved ``len(changed)`` times: did the picture change, and how fast (ms)."""

    explorer: str
    cell: int
    control: str
    kind: str
    changed: list[bool] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)
    usable: bool = True          # False: still disabled after changing the other choices


def move_every_control(page: LessonPage, times: int = 2) -> list[Move]:
    """Each control of each explorer moved ``times`` times, in the page's order."""
    moves = []
    for explorer in page.explorers():
        for control in explorer.controls:
            move = Move(explorer.key, explorer.cell, control.name, control.kind)
            # an edit for a "reset" button to undo: a slider (a dropdown may only
            # change the view, e.g. the class shown, and leave nothing to reset)
            others = ([c for c in explorer.controls if c.kind == "slider"]
                      or [c for c in explorer.controls if c.kind != "button"])
            if not explorer.enabled(control) and not explorer.enable(control):
                move.usable = False
                moves.append(move)
                continue
            for _ in range(times):
                if control.kind == "button" and others:
                    explorer.move(others[0])
                changed, ms = explorer.move(control)
                move.changed.append(changed)
                move.ms.append(ms)
            moves.append(move)
    return moves


# --------------------------------------------------------------------------
# A deck presented live (jupyterlab-rise)
# --------------------------------------------------------------------------

@dataclass
class Presented:
    """What RISE showed after one click on its toolbar button."""

    seconds: float              # from the click to the slides drawn
    slides: int                 # reveal.js's slide count
    first: str                  # the text of the slide shown first
    placeholders: int           # collapsed-code placeholders visible on the slides
    page: Any                   # the JupyterLab page (close it)


def present_with_rise(context, lab: JupyterLab, deck: str, timeout: float = 90.0) -> Presented:
    """Open ``slides/<deck>`` in JupyterLab, click RISE's toolbar button once, wait for the
    reveal.js slides in RISE's panel (an iframe at ``/rise/...``)."""
    page = context.new_page()
    page.goto(lab.deck_url(deck))
    button = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-NotebookPanel-toolbar "
                          "[data-jp-item-name='RISE-button'] :is(button, jp-button)").first
    button.wait_for(state="visible", timeout=timeout * 1000)
    start = time.monotonic()
    button.click()
    page.locator("iframe[src*='/rise/']").first.wait_for(state="attached", timeout=timeout * 1000)
    frame = page.frame_locator("iframe[src*='/rise/']").first
    frame.locator(".reveal .slides > section.present").first.wait_for(
        state="visible", timeout=timeout * 1000)
    seconds = time.monotonic() - start
    slides = frame.locator("body").evaluate("() => window.Reveal ? Reveal.getTotalSlides() "
                                            ": document.querySelectorAll('.reveal .slides > section').length")
    first = frame.locator(".reveal .slides > section.present").first.inner_text()
    placeholders = frame.locator(".reveal .jp-InputPlaceholder:visible").count()
    return Presented(seconds, int(slides), first, placeholders, page)
