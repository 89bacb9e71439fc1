"""The classroom decks: their notebooks, their offline HTML in Chromium, their PDFs.

The decks are built by ``tools/build_slides.py`` (``python3 course.py
slides``) into ``slides/_build/``. A build newer than every deck, the
template, the build script and the parts of ``camteach`` a deck runs is
reused; otherwise the stale decks are rebuilt here (15-90 s each, with the
machine's load). Browser checks use Debian's Chromium through Playwright
(never ``playwright install``) and skip, saying why, when Chromium,
Playwright or npm is missing.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_slides  # noqa: E402

DECKS = build_slides.decks()
IDS = [p.stem for p in DECKS]
LOCAL = ("file://", "data:", "about:", "blob:")
#: The lecture's line of thought (``cam-theory-slides.txt``), in order, as deck 01's headings say it.
SPINE = ("class activation maps", "top predictions", "one object class", "only need to do classification",
         'a feature is a "thing"', "features", "what led to the positive feature",
         "logistic regression", "the last layers", "class activation map", "final step",
         "conclusion")


def cells_of(path: Path):
    return nbformat.read(path, as_version=4).cells


def kind(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def slides_of(path: Path) -> list[list]:
    """The deck's slides, each a list of its cells (skipped cells left out)."""
    slides: list[list] = []
    for cell in cells_of(path):
        if kind(cell) == "slide":
            slides.append([cell])
        elif kind(cell) != "skip" and slides:
            slides[-1].append(cell)
    return slides


def pdf_pages(path: Path) -> int:
    """Pages of a PDF: its ``/Type /Page`` objects (Chromium writes them uncompressed)."""
    data = path.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?![sL])", data))
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    if counts:                   # the page tree's root has the largest count
        assert max(counts) == pages, f"{path.name}: {pages} page objects, /Count {max(counts)}"
    return pages


# --------------------------------------------------------------------------
# The notebooks (no browser needed)
# --------------------------------------------------------------------------

def test_there_are_decks():
    names = [p.stem for p in DECKS]
    assert names[0] == "01_class_activation_maps" and len(names) >= 5, names


@pytest.mark.parametrize("path", DECKS, ids=IDS)
def test_deck_is_presentable_live_with_rise(path):
    notebook = nbformat.read(path, as_version=4)
    rise = notebook.metadata.get("rise", {})
    assert rise.get("theme") in ("white", "black") and rise.get("start_slideshow_at") == "beginning"
    assert notebook.metadata.kernelspec["name"] == "python3"
    for cell in notebook.cells:
        assert kind(cell) in ("slide", "-", "notes", "skip"), (path.name, kind(cell))
        if cell.cell_type == "code":            # figures and text on the slides, not code
            assert "remove-input" in cell.metadata.get("tags", []), cell.source[:60]
            assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source[:60]


@pytest.mark.parametrize("path", DECKS, ids=IDS)
def test_every_slide_has_speaker_notes_and_the_deck_names_its_lesson(path):
    slides = slides_of(path)
    assert len(slides) >= 3
    for i, slide in enumerate(slides):
        notes = [c for c in slide if kind(c) == "notes" and c.source.strip()]
        assert notes, f"{path.name}: slide {i + 1} ({slide[0].source.splitlines()[0]}) has no notes"
    text = "\n".join(c.source for c in cells_of(path) if c.cell_type == "markdown")
    assert re.search(r"Deeper: lessons? \d\d", text), f"{path.name} names no lesson"


def test_the_first_deck_follows_the_lecture_slide_by_slide():
    firsts = [s[0].source.lower() for s in slides_of(DECKS[0])]     # each slide's text cell
    assert len(firsts) == len(SPINE), [f.split("\n")[0] for f in firsts]
    missing = [(i + 1, key) for i, key in enumerate(SPINE) if key not in firsts[i]]
    assert not missing, missing
    # the lecture's bullets, not paraphrases of them
    text = "\n".join(s[0].source for s in slides_of(DECKS[0]))
    for phrase in ("Only need to do classification!", "ReLU: all features are positive or zero.",
                   "2048 7x7", "2048 x 1000", "224 x 224"):
        assert phrase.replace("2048 7x7", "2048 maps of 7x7") in text + "\n".join(
            c.source for c in cells_of(DECKS[0])), phrase


@pytest.mark.parametrize("path", DECKS, ids=IDS)
def test_figures_are_drawn_by_ct_plots(path):
    code = "\n".join(c.source for c in cells_of(path) if c.cell_type == "code")
    assert "plt." not in code and "pyplot" not in code and "savefig" not in code
    assert "import camteach as ct" in code.split("\n")[0]


# --------------------------------------------------------------------------
# Building says what is missing
# --------------------------------------------------------------------------

def test_missing_npm_is_named_with_the_way_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(build_slides.shutil, "which", lambda name: None)
    with pytest.raises(build_slides.MissingTool) as error:
        build_slides.ensure_assets(tmp_path / "vendor")
    message = str(error.value)
    assert "npm is not installed" in message and "apt-get install npm" in message
    for package, (version, _) in build_slides.NPM_PACKAGES.items():
        assert f"{package}@{version}" in message


def test_without_chromium_the_html_is_still_built(tmp_path, monkeypatch, capsys):
    if build_slides.missing_assets() and shutil.which("npm") is None:
        pytest.skip("npm is missing and slides/_vendor has no reveal.js: nothing can be built")
    deck = tmp_path / "99_tiny.ipynb"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# One", metadata={"slideshow": {"slide_type": "slide"}}),
        nbformat.v4.new_code_cell("print(6 * 7)", metadata={"slideshow": {"slide_type": "-"}}),
        nbformat.v4.new_markdown_cell("# Two", metadata={"slideshow": {"slide_type": "slide"}})],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}})
    nbformat.write(nb, deck)
    monkeypatch.setattr(build_slides, "find_chromium", lambda: None)
    rows = build_slides.build([deck], out=tmp_path / "out")
    said = capsys.readouterr().out
    assert "No Chromium found" in said and "apt-get install chromium" in said
    html = tmp_path / "out" / "99_tiny.slides.html"
    assert rows[0]["pdf"] is None and html.exists() and not (tmp_path / "out" / "99_tiny.pdf").exists()
    page = html.read_text()
    assert "42" in page and "print(6 * 7)" not in page          # outputs shown, code left out
    assert not re.search(r"""(src|href)=["']https?://""", page)


# --------------------------------------------------------------------------
# The built decks in Chromium
# --------------------------------------------------------------------------

def _newest_source() -> float:
    package = [p for p in (ROOT / "camteach").rglob("*")      # what a deck can run
               if not {"exercises", "widgets"} & set(p.parts) and p.name != "lessons.py"]
    sources = [*DECKS, Path(build_slides.__file__), *build_slides.TEMPLATE.rglob("*"), *package]
    return max(p.stat().st_mtime for p in sources if p.is_file())


@pytest.fixture(scope="module")
def built():
    """The decks' HTML and PDFs in slides/_build, rebuilt where older than their sources."""
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("Python package playwright is not installed (pip install playwright)")
    chromium = build_slides.find_chromium()
    if chromium is None:
        pytest.skip("no Chromium on this machine: install it with 'apt-get install chromium'")
    if build_slides.missing_assets() and shutil.which("npm") is None:
        pytest.skip("npm is missing and slides/_vendor lacks "
                    f"{' '.join(build_slides.missing_assets())}: install npm (apt-get install npm)")
    newest = _newest_source()
    stale = [p for p in DECKS
             if not all((build_slides.BUILD / f"{p.stem}{ext}").exists()
                        and (build_slides.BUILD / f"{p.stem}{ext}").stat().st_mtime > newest
                        for ext in (".slides.html", ".pdf"))]
    if stale:
        failed = [row for row in build_slides.build(stale) if "failed" in row]
        if failed:
            pytest.fail(f"decks failed to run: {failed}")
    return chromium


@pytest.fixture(scope="module")
def browser(built):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=built,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        yield chromium
        chromium.close()


@pytest.mark.parametrize("path", DECKS, ids=IDS)
def test_deck_opens_offline_with_every_slide(path, browser):
    html = build_slides.BUILD / f"{path.stem}.slides.html"
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    requests, failed, errors = [], [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(html.as_uri())
    page.wait_for_function("window.deckReady === true", timeout=30_000)
    page.wait_for_load_state("networkidle")
    external = [u for u in requests if not u.startswith(LOCAL)]
    assert not failed, failed
    assert not external, external
    assert not errors, errors
    expected = build_slides.expected_slides(path)
    assert page.evaluate("Reveal.getTotalSlides()") == expected
    assert page.evaluate("document.querySelectorAll('.reveal .slides > section').length") == expected
    assert page.evaluate("document.querySelectorAll('.reveal aside.notes').length") == expected
    broken = page.evaluate("[...document.images].filter(i => !(i.complete && i.naturalWidth))"
                           ".map(i => i.src.slice(0, 60))")
    assert not broken, broken
    assert page.evaluate("document.querySelectorAll('.jp-CodeCell .jp-InputArea').length") == 0
    height = page.evaluate("Reveal.getConfig().height")
    for i in range(expected):                     # nothing runs off the bottom of a slide
        page.evaluate(f"Reveal.slide({i})")
        used = page.evaluate("Reveal.getCurrentSlide().scrollHeight")
        assert used <= height, f"slide {i + 1} is {used} px tall, the deck {height} px"
    page.close()


@pytest.mark.parametrize("path", DECKS, ids=IDS)
def test_pdf_has_one_page_per_slide(path, built):
    pdf = build_slides.BUILD / f"{path.stem}.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert pdf_pages(pdf) == build_slides.expected_slides(path)
    markdown = "\n".join(c.source for c in cells_of(path) if c.cell_type == "markdown")
    if "$" in markdown:                 # the formulas were typeset before printing
        assert b"MathJax_Main" in pdf.read_bytes()
