"""Build the classroom decks offline: a standalone HTML deck and a PDF per deck.

    python3 course.py slides                  # every deck in slides/
    python3 course.py slides slides/01_*      # some of them
    python3 course.py slides --store          # also store the outputs in the decks
    python3 course.py slides --no-pdf         # HTML only

Each deck ``slides/NN_name.ipynb`` is executed (a few seconds each), then
written to ``slides/_build/NN_name.slides.html`` by nbconvert's reveal.js
exporter with every asset local: reveal.js 4.0.2, require.js, jQuery and
MathJax 2 come from npm into ``slides/_vendor/`` (git-ignored; installed once,
pinned versions) and are copied to ``slides/_build/assets/``, next to the
decks, so ``file://`` opens them with no network. Code cells are left out of
the HTML (the decks show figures, text and speaker notes; press ``s`` for
the notes view). Then headless Chromium prints ``NN_name.pdf``, one page per
slide.

Missing tools are named with the way to get them: without npm nothing can be
built (reveal.js is needed); without Chromium the HTML is still built.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import SlidesExporter
from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent
SLIDES = ROOT / "slides"
BUILD = SLIDES / "_build"
VENDOR = SLIDES / "_vendor"
TEMPLATE = SLIDES / "template"

#: npm packages, pinned, and files each must have once installed.
NPM_PACKAGES = {
    "reveal.js": ("4.0.2", ("dist/reveal.js", "dist/reveal.css", "dist/theme/white.css",
                            "plugin/notes/notes.js")),
    "requirejs": ("2.3.7", ("require.js",)),
    "jquery": ("2.2.4", ("dist/jquery.min.js",)),
    "mathjax": ("2.7.9", ("MathJax.js", "config/TeX-AMS_CHTML-full.js", "extensions/Safe.js",
                          "jax/output/CommonHTML/jax.js")),
}
#: Parts of the npm packages the decks never load (MathJax's sources, other fonts).
NOT_COPIED = ("unpacked", "test", "docs", "*.md", "Asana-Math", "Gyre-Pagella", "Gyre-Termes",
              "Latin-Modern", "Neo-Euler", "STIX-Web", "png", "SVG")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-pdf-header-footer",
                  "--run-all-compositor-stages-before-draw", "--virtual-time-budget=20000")


class MissingTool(RuntimeError):
    """A tool the build needs is not installed; the message says how to get it."""


# --------------------------------------------------------------------------
# Decks
# --------------------------------------------------------------------------

def decks() -> list[Path]:
    """The decks, in order: ``slides/NN_name.ipynb``."""
    return sorted(p for p in SLIDES.glob("[0-9][0-9]_*.ipynb"))


def slide_types(notebook) -> list[str]:
    """Each cell's ``slideshow.slide_type`` (``"-"`` when it has none)."""
    return [cell.metadata.get("slideshow", {}).get("slide_type", "-") for cell in notebook.cells]


def expected_slides(path: Path) -> int:
    """How many slides a deck has: its cells marked ``slide_type: "slide"``."""
    return slide_types(nbformat.read(path, as_version=4)).count("slide")


def execute(path: Path, timeout: int = 300):
    """Run a deck in its own folder; return the executed notebook."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    return notebook


# --------------------------------------------------------------------------
# Assets: reveal.js and friends from npm, copied next to the decks
# --------------------------------------------------------------------------

def installed_version(package: str, vendor: Path = VENDOR) -> str | None:
    """The version of ``package`` in ``vendor/node_modules``, or None."""
    manifest = vendor / "node_modules" / package / "package.json"
    if not manifest.exists():
        return None
    return json.loads(manifest.read_text()).get("version")


def missing_assets(vendor: Path = VENDOR) -> list[str]:
    """What is not (or not correctly) installed: ``"reveal.js@4.0.2"``, ..."""
    missing = []
    for package, (version, files) in NPM_PACKAGES.items():
        where = vendor / "node_modules" / package
        if installed_version(package, vendor) != version or not all(
                (where / f).exists() for f in files):
            missing.append(f"{package}@{version}")
    return missing


def ensure_assets(vendor: Path = VENDOR) -> Path:
    """Install the pinned npm packages into ``vendor`` when missing; return ``vendor``."""
    missing = missing_assets(vendor)
    if not missing:
        return vendor
    npm = shutil.which("npm")
    if npm is None:
        raise MissingTool(
            "npm is not installed, and the decks need these npm packages: "
            f"{' '.join(missing)}.\nInstall Node.js with npm (Debian/Ubuntu: "
            "'sudo apt-get install npm'; or https://nodejs.org), then run "
            "'python3 course.py slides' again; or, on a machine with npm, run\n"
            f"  npm install --prefix slides/_vendor {' '.join(missing)}\n"
            "and copy slides/_vendor/ here.")
    vendor.mkdir(parents=True, exist_ok=True)
    print(f"Installing {' '.join(missing)} into {vendor.relative_to(ROOT)} (npm) ...", flush=True)
    subprocess.run([npm, "install", "--prefix", str(vendor), "--no-audit", "--no-fund",
                    "--save-exact", *missing], check=True, cwd=vendor)
    still = missing_assets(vendor)
    if still:
        raise MissingTool(f"npm ran but these are still missing or of another version: "
                          f"{' '.join(still)} (in {vendor / 'node_modules'})")
    return vendor


def copy_assets(vendor: Path, build: Path = BUILD) -> Path:
    """Copy the parts of the npm packages the decks load to ``build/assets``."""
    assets = build / "assets"
    stamp = assets / "versions.json"
    wanted = json.dumps({p: v for p, (v, _) in NPM_PACKAGES.items()}, sort_keys=True)
    if stamp.exists() and stamp.read_text() == wanted:
        return assets
    shutil.rmtree(assets, ignore_errors=True)
    for package in NPM_PACKAGES:
        shutil.copytree(vendor / "node_modules" / package, assets / package,
                        ignore=shutil.ignore_patterns(*NOT_COPIED))
    stamp.write_text(wanted)
    return assets


def exporter() -> SlidesExporter:
    """nbconvert's reveal.js exporter, pointed at ``assets/`` beside the deck."""
    c = Config()
    c.SlidesExporter.reveal_url_prefix = "assets/reveal.js"
    c.SlidesExporter.require_js_url = "assets/requirejs/require.js"
    c.SlidesExporter.jquery_url = "assets/jquery/dist/jquery.min.js"
    c.SlidesExporter.mathjax_url = "assets/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    c.SlidesExporter.reveal_theme = "white"
    c.SlidesExporter.reveal_transition = "none"
    c.SlidesExporter.reveal_number = "c/t"
    c.SlidesExporter.reveal_width = "1280"
    c.SlidesExporter.reveal_height = "720"
    c.SlidesExporter.exclude_input = True            # figures, text and notes; no code
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    c.SlidesExporter.extra_template_basedirs = [str(TEMPLATE)]
    c.SlidesExporter.template_name = "course"
    return SlidesExporter(config=c)


def export_html(notebook, name: str, build: Path = BUILD) -> Path:
    """Write ``build/<name>.slides.html``; return its path."""
    body, _ = exporter().from_notebook_node(notebook, resources={"metadata": {"name": name}})
    out = build / f"{name}.slides.html"
    out.write_text(body, encoding="utf-8")
    return out


# --------------------------------------------------------------------------
# PDF: headless Chromium
# --------------------------------------------------------------------------

def find_chromium() -> str | None:
    """A Chromium-family browser: ``$CHROMIUM``, or one on the PATH."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def print_pdf(chromium: str, html: Path, pdf: Path, timeout: int = 120) -> Path:
    """Print ``html`` (reveal.js's ``?print-pdf`` view) to ``pdf``: one page per slide."""
    with tempfile.TemporaryDirectory(prefix="camteach-chromium-") as profile:
        subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                        f"--print-to-pdf={pdf}", html.resolve().as_uri() + "?print-pdf"],
                       check=True, timeout=timeout, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise RuntimeError(f"{chromium} wrote no PDF for {html.name}")
    return pdf


# --------------------------------------------------------------------------

def build(paths: list[Path], pdf: bool = True, store: bool = False,
          out: Path = BUILD) -> list[dict]:
    """Execute, export and print each deck into ``out``; return one row per deck."""
    assets_from = ensure_assets()
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(assets_from, out)
    chromium = find_chromium() if pdf else None
    if pdf and chromium is None:
        print("No Chromium found, so no PDFs (the HTML decks are built). Install it with\n"
              "  sudo apt-get install chromium     (Debian/Ubuntu)\n"
              "or set CHROMIUM=/path/to/chrome, then run 'python3 course.py slides' again.",
              flush=True)
    rows = []
    for path in paths:
        name = path.stem
        start = time.perf_counter()
        try:
            notebook = execute(path)
        except CellExecutionError as error:
            failure = f"{error.ename}: {error.evalue}"
            print(f"{name:32s} FAILED while running it: {failure}", flush=True)
            rows.append({"deck": name, "failed": failure})
            continue
        ran = time.perf_counter() - start
        if store:
            nbformat.write(notebook, path)
        html = export_html(notebook, name, out)
        row = {"deck": name, "slides": slide_types(notebook).count("slide"),
               "run": ran, "html": html, "pdf": None}
        if chromium:
            row["pdf"] = print_pdf(chromium, html, out / f"{name}.pdf")
        row["seconds"] = time.perf_counter() - start
        rows.append(row)
        print(f"{name:32s} {row['slides']:6d} {ran:8.1f} {row['seconds']:8.1f}  "
              f"{_shown(html)}{'  + .pdf' if row['pdf'] else ''}", flush=True)
    return rows


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str]) -> int:
    flags = {a for a in argv if a.startswith("--")}
    unknown = flags - {"--no-pdf", "--store"}
    if unknown:
        print(f"unknown option(s) {sorted(unknown)}; expected --no-pdf, --store", file=sys.stderr)
        return 2
    paths = [Path(a).resolve() for a in argv if not a.startswith("--")] or decks()
    for p in paths:
        if not p.exists() or p.suffix != ".ipynb":
            print(f"decks: {p} is not a notebook", file=sys.stderr)
            return 2
    print(f"{'deck':32s} {'slides':>6s} {'run s':>8s} {'total s':>8s}  output")
    try:
        rows = build(paths, pdf="--no-pdf" not in flags, store="--store" in flags)
    except MissingTool as error:
        print(error, file=sys.stderr)
        return 1
    failed = [row["deck"] for row in rows if "failed" in row]
    if failed:
        print(f"{len(failed)} deck(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
