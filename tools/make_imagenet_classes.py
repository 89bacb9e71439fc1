#!/usr/bin/env python3
"""Build ``camteach/data/imagenet_classes.json``: the 1000 ImageNet class names.

Why this file exists
--------------------
``keras.applications.imagenet_utils.decode_predictions`` downloads
``imagenet_class_index.json`` from storage.googleapis.com the first time it is
called, which fails offline. The course ships its own copy in exactly the
same format and order, so ``camteach.imagenet.decode`` works everywhere::

    {"0": ["n01440764", "tench"], "1": ["n01443537", "goldfish"], ...,
     "999": ["n15075141", "toilet_tissue"]}

Index order is the standard ILSVRC-2012 order (the 1000 WordNet ids sorted),
which is the order of the outputs of every ``keras.applications`` ImageNet
model. The short name is the first WordNet lemma with spaces replaced by
underscores, as in Keras' file (so 134 and 517 are both "crane", 638 and 639
both "maillot").

Where the data comes from
-------------------------
The PyPI package ``timm`` (Apache-2.0) ships both lists inside its wheel:

* package: timm 1.0.31, wheel ``timm-1.0.31-py3-none-any.whl``
  (sha256 5bd50f7d0fe6d09bf9285ac2523234a1b7e6bf075c0be3e7aed09139fcb617c7)
* ``timm/data/_info/imagenet_synsets.txt``: the 1000 wnids, one per line,
  in class-index order;
* ``timm/data/_info/imagenet_synset_to_lemma.txt``: ``wnid<TAB>lemma, lemma, ...``
  for all 21k ImageNet synsets.

The wheel is only read, never committed. Re-create or check the JSON with::

    python tools/make_imagenet_classes.py            # pip-downloads the wheel
    python tools/make_imagenet_classes.py --wheel timm-1.0.31-py3-none-any.whl
    python tools/make_imagenet_classes.py --check    # compare with the shipped file

Checks done before writing: 1000 entries, unique and sorted wnids, and a few
well-known indices (0 tench, 207 golden retriever, 281 tabby, 409 analog
clock, 817 sports car, 999 toilet tissue).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "timm"
VERSION = "1.0.31"
WHEEL_SHA256 = "5bd50f7d0fe6d09bf9285ac2523234a1b7e6bf075c0be3e7aed09139fcb617c7"
SYNSETS = "timm/data/_info/imagenet_synsets.txt"
LEMMAS = "timm/data/_info/imagenet_synset_to_lemma.txt"

OUT = Path(__file__).resolve().parents[1] / "camteach" / "data" / "imagenet_classes.json"

KNOWN = {
    0: ("n01440764", "tench"),
    1: ("n01443537", "goldfish"),
    207: ("n02099601", "golden_retriever"),
    281: ("n02123045", "tabby"),
    409: ("n02708093", "analog_clock"),
    817: ("n04285008", "sports_car"),
    999: ("n15075141", "toilet_tissue"),
}


def download_wheel(dest: Path) -> Path:
    """``pip download`` the pinned timm wheel (no dependencies) into ``dest``."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "-d", str(dest), f"{PACKAGE}=={VERSION}"],
        check=True,
    )
    (wheel,) = dest.glob(f"{PACKAGE}-{VERSION}-*.whl")
    return wheel


def build(wheel: Path) -> dict[str, list[str]]:
    """Read the two lists from the wheel and return the Keras-format mapping."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"unexpected wheel sha256 {digest} (expected {WHEEL_SHA256})")
    with zipfile.ZipFile(wheel) as zf:
        wnids = zf.read(SYNSETS).decode("utf-8").split()
        lemma_lines = zf.read(LEMMAS).decode("utf-8").splitlines()
    lemmas = dict(line.split("\t", 1) for line in lemma_lines if line.strip())

    assert len(wnids) == 1000, len(wnids)
    assert len(set(wnids)) == 1000, "duplicate wnids"
    assert wnids == sorted(wnids), "wnids are not in sorted (ILSVRC-2012) order"

    index = {}
    for i, wnid in enumerate(wnids):
        first = lemmas[wnid].split(",")[0].strip()
        index[str(i)] = [wnid, first.replace(" ", "_")]
    for i, expected in KNOWN.items():
        assert tuple(index[str(i)]) == expected, (i, index[str(i)], expected)
    return index


def dumps(index: dict[str, list[str]]) -> str:
    """One entry per line: Keras-compatible JSON that still diffs well."""
    lines = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in index.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"a local {PACKAGE}-{VERSION} wheel")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true",
                        help="compare with --out instead of writing it")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        text = dumps(build(wheel))

    if args.check:
        same = args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'DIFFERS'}")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} (1000 classes from {PACKAGE} {VERSION})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
