"""Chest X-ray phantoms in VinBigData's layout and the loader that reads them."""

from __future__ import annotations

import csv
import filecmp

import numpy as np
import pydicom
import pytest

import camteach as ct
from camteach.xray import dicom, generate, readers
from camteach.xray.readers import ReaderBox


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    return ct.xray.make_phantoms(12, tmp_path_factory.mktemp("phantoms"), seed=3)


def _rows(root):
    with open(root / "train.csv", newline="") as handle:
        return list(csv.reader(handle))


def _write_rows(root, rows):
    with open(root / "train.csv", "w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def _copy(src, dst):
    (dst / "train").mkdir(parents=True)
    for path in (src / "train").iterdir():
        (dst / "train" / path.name).write_bytes(path.read_bytes())
    (dst / "train.csv").write_bytes((src / "train.csv").read_bytes())
    return dst


def test_layout_is_vinbigdata_s(written):
    rows = _rows(written)
    assert rows[0] == ["image_id", "class_name", "class_id", "rad_id",
                       "x_min", "y_min", "x_max", "y_max"]
    ids = {r[0] for r in rows[1:]}
    assert len(ids) == 12 and all(len(i) == 32 for i in ids)
    assert {p.stem for p in (written / "train").glob("*.dicom")} == ids
    for image_id in ids:                                       # 3 of the 17 readers each
        rads = {r[3] for r in rows[1:] if r[0] == image_id}
        assert len(rads) == 3 and rads <= {f"R{i}" for i in range(1, 18)}
    for r in rows[1:]:
        assert ct.xray.CLASS_NAMES[int(r[2])] == r[1]
        assert (r[4:] == [""] * 4) == (r[2] == "14")           # No finding: an empty box
    ds = pydicom.dcmread(next((written / "train").glob("*.dicom")))
    assert ds.Modality == "DX" and ds.PatientName == "PHANTOM"
    assert 12 <= ds.BitsStored <= 16 and "WindowCenter" in ds and "WindowWidth" in ds


def test_phantoms_mix_photometric_and_bits_and_a_third_have_no_finding():
    data = generate.phantom_data(90, seed=5, size=64)
    assert set(data.photometric) == {"MONOCHROME1", "MONOCHROME2"}
    assert set(data.bits) == {12, 13, 14, 15, 16}
    assert 0.2 <= data.no_finding.mean() <= 0.5
    assert data.labels.sum(axis=0).min() >= 5                 # every finding occurs


@pytest.mark.parametrize("photometric", ["MONOCHROME1", "MONOCHROME2"])
@pytest.mark.parametrize("bits", [12, 14, 16])
def test_loader_reads_each_photometric_interpretation_and_bit_depth(tmp_path, photometric, bits):
    root = ct.xray.make_phantoms(2, tmp_path, seed=1, photometric=photometric, bits=bits)
    data = ct.xray.load(root, size=128)
    assert data.photometric == (photometric, photometric) and list(data.bits) == [bits, bits]
    ds = pydicom.dcmread(next((root / "train").glob("*.dicom")))
    assert ds.pixel_array.max() <= 2 ** bits - 1
    x = data.images[..., 0]
    assert x.shape == (2, 128, 128) and x.min() >= 0 and x.max() <= 1
    spine, lung = x[:, 40:80, 62:66].mean(), x[:, 40:80, 30:40].mean()
    assert spine > lung + 0.2                                   # bone white, lungs dark: right way up
    raw = ct.xray.load(root, size=128, voi=False, invert=False).images[..., 0]
    flip = raw[:, 40:80, 62:66].mean() - raw[:, 40:80, 30:40].mean()
    assert (flip < 0) == (photometric == "MONOCHROME1")        # negatives without the inversion
    assert abs(flip) < (spine - lung) * 0.8                    # and flat without the VOI LUT


def test_writing_is_deterministic_per_seed(tmp_path, written):
    again = ct.xray.make_phantoms(12, tmp_path / "again", seed=3)
    other = ct.xray.make_phantoms(2, tmp_path / "other", seed=4)
    assert filecmp.cmp(written / "train.csv", again / "train.csv", shallow=False)
    for path in (written / "train").iterdir():
        assert filecmp.cmp(path, again / "train" / path.name, shallow=False)
    assert not set(p.name for p in (other / "train").iterdir()) & set(
        p.name for p in (written / "train").iterdir())


def test_in_memory_phantoms_equal_the_written_and_loaded_ones(written):
    loaded = ct.xray.load(written)
    memory = ct.xray.phantom_data(12, seed=3, scale=1.0)
    assert memory.image_ids == loaded.image_ids
    np.testing.assert_allclose(memory.images, loaded.images, atol=1e-6)
    np.testing.assert_array_equal(memory.labels, loaded.labels)
    assert loaded.images.shape == (12, ct.xray.SIZE, ct.xray.SIZE, 1)
    assert loaded.labels.shape == (12, len(ct.xray.FINDINGS)) and loaded.skipped == {}


def test_boxes_are_rescaled_with_the_image(written):
    big, small = ct.xray.load(written, size=200), ct.xray.load(written, size=100)
    rows = _rows(written)[1:]
    for i, image_id in enumerate(big.image_ids):
        H, W = big.shapes[i]
        stored = [np.array(r[4:], float) for r in rows if r[0] == image_id and r[2] != "14"]
        got = [b.box for b in big.reader_boxes[i]]
        assert len(got) == len(stored)
        for want, box in zip(stored, got):
            np.testing.assert_allclose(box, want * np.array([200 / W, 200 / H] * 2), rtol=1e-9)
        for a, b in zip(big.boxes[i], small.boxes[i]):
            np.testing.assert_allclose(a.box / 2, b.box, rtol=1e-9)


def test_fused_boxes_land_on_the_drawn_findings():
    data = generate.phantom_data(30, seed=2, size=224, scale=1.0)
    ious = []
    for i in range(len(data)):
        _, stored, _, _, truth = generate.phantom(2, i)
        H, W = stored.shape
        for cid, box in truth:
            k = data.class_ids.index(cid)
            fused = [b.box for b in data.boxes[i] if b.finding == k]
            if fused:
                ious.append(max(ct.box_iou(f, box * np.array([224 / W, 224 / H] * 2)) for f in fused))
    assert len(ious) >= 20 and np.median(ious) > 0.6


def test_fusion_rule_needs_two_readers_at_the_same_place():
    box = np.array([10.0, 10, 50, 50])
    marks = [ReaderBox("R1", 0, box), ReaderBox("R2", 0, box + 4), ReaderBox("R2", 0, box + 2),
             ReaderBox("R3", 1, box), ReaderBox("R1", 2, box), ReaderBox("R3", 2, box + 100)]
    fused = readers.fuse(marks, num_findings=3)
    assert [f.finding for f in fused] == [0]                  # 1: one reader; 2: far apart
    assert fused[0].readers == ("R1", "R2")                   # R2 counts once
    np.testing.assert_allclose(fused[0].box, box + 2)
    assert readers.fuse(marks, num_findings=3, votes=1)[0].finding == 0
    assert readers.agreement(marks[:2]) == [pytest.approx(float(ct.box_iou(box, box + 4)))]


def test_image_with_no_boxes(tmp_path, written):
    root = _copy(written, tmp_path / "copy")
    rows = _rows(root)
    target = rows[1][0]
    kept = [r for r in rows if r[0] != target]
    _write_rows(root, kept + [[target, "No finding", "14", rad, "", "", "", ""]
                              for rad in ("R1", "R2", "R3")])
    data = ct.xray.load(root)
    i = data.image_ids.index(target)
    assert data.labels[i].sum() == 0 and data.boxes[i] == () and data.reader_boxes[i] == ()
    assert data.no_finding[i] and data.readers[i] == ("R1", "R2", "R3")


@pytest.mark.parametrize("change, message", [
    ({4: "100", 6: "12"}, "expected 0 <= x_min < x_max"),
    ({1: "Cardiomegaly", 2: "0"}, "does not match class_id 0"),
    ({2: "15"}, "class_id: expected an integer 0-14"),
    ({3: "Dr X"}, "rad_id"),
    ({4: "left"}, "expected numbers"),
])
def test_bad_row_is_named_or_counted(tmp_path, written, change, message):
    root = _copy(written, tmp_path / "copy")
    rows = _rows(root)
    number = next(n for n, r in enumerate(rows) if n and r[2] != "14")
    rows[number] = [change.get(c, v) for c, v in enumerate(rows[number])]
    _write_rows(root, rows)
    with pytest.raises(ValueError, match=rf"train.csv: row {number + 1}: .*{message}"):
        ct.xray.load(root)
    data = ct.xray.load(root, errors="skip")
    assert data.skipped == {"bad rows in train.csv": 1} and len(data) == 12


def test_missing_file_is_named_or_counted(tmp_path, written):
    root = _copy(written, tmp_path / "copy")
    gone = sorted((root / "train").iterdir())[0]
    gone.unlink()
    with pytest.raises(FileNotFoundError, match=rf"{gone.name}: missing \(named by train.csv rows"):
        ct.xray.load(root)
    data = ct.xray.load(root, errors="skip")
    assert len(data) == 11 and data.skipped == {"images whose DICOM file is missing": 1}
    assert gone.stem not in data.image_ids


def test_unreadable_file_and_box_outside_the_image(tmp_path, written):
    root = _copy(written, tmp_path / "copy")
    broken = sorted((root / "train").iterdir())[0]
    broken.write_bytes(b"not a dicom")
    with pytest.raises(ValueError, match=rf"{broken.name}: not a readable DICOM"):
        ct.xray.load(root)
    rows = _rows(root)
    number = next(n for n, r in enumerate(rows) if n and r[2] != "14" and r[0] != broken.stem)
    rows[number][6] = "99999"
    _write_rows(root, rows)
    data = ct.xray.load(root, errors="skip")
    assert data.skipped == {"unreadable DICOM files": 1, "images with boxes outside the image": 1}
    broken.write_bytes((written / "train" / broken.name).read_bytes())
    with pytest.raises(ValueError, match=rf"row {number + 1}: box .* lies outside"):
        ct.xray.load(root)


def test_findings_subset_limit_and_argument_checks(tmp_path, written):
    one = ct.xray.load(written, findings=[3], limit=5)
    assert one.findings == ("Cardiomegaly",) and one.labels.shape == (5, 1)
    assert one.skipped["images beyond limit"] == 7
    every = ct.xray.load(written, findings=range(14), size=32)
    assert every.labels.shape == (12, 14)
    np.testing.assert_array_equal(every.labels[:, list(every.class_ids).index(3)],
                                  ct.xray.load(written, size=32).labels[:, 1])
    with pytest.raises(ValueError, match="errors: expected one of"):
        ct.xray.load(written, errors="ignore")
    with pytest.raises(ValueError, match="findings: expected distinct class ids"):
        ct.xray.load(written, findings=[14])
    with pytest.raises(FileNotFoundError, match="train.csv: missing"):
        ct.xray.load(tmp_path)
    with pytest.raises(ValueError, match="n: expected a positive integer"):
        ct.xray.make_phantoms(0, tmp_path)
    with pytest.raises(ValueError, match="photometric: expected one of"):
        dicom.encode(np.zeros((8, 8)), np.random.default_rng(0), photometric="RGB")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "train.csv").write_text("image_id,label\n")
    with pytest.raises(ValueError, match="missing class_name"):
        ct.xray.load(tmp_path / "bad")


def test_root_from_the_environment(monkeypatch, written):
    monkeypatch.delenv(ct.xray.ENV, raising=False)
    with pytest.raises(ValueError, match="root: expected the folder"):
        ct.xray.load()
    monkeypatch.setenv(ct.xray.ENV, str(written))
    assert ct.xray.default_root() == written and len(ct.xray.load(limit=2)) == 2


# --- the burned-in corner marker ("right for the wrong reason") ---------------------------------

EFFUSION = "Pleural effusion"


def test_no_marker_leaves_every_phantom_byte_identical():
    for i in range(6):
        plain = generate.phantom(5, i)
        none = generate.phantom(5, i, marker=None, marker_rate=0.3)
        assert plain[0] == none[0] and plain[1].tobytes() == none[1].tobytes()
        assert plain[2] == none[2] and str(plain[3]) == str(none[3]) and str(plain[4]) == str(none[4])
    a = ct.xray.phantom_data(20, seed=5)
    b = ct.xray.phantom_data(20, seed=5, marker=None)
    assert a.images.tobytes() == b.images.tobytes() and not b.markers.any()


def test_marker_correlates_with_its_finding_and_changes_only_its_box():
    plain = ct.xray.phantom_data(150, seed=4)
    tagged = ct.xray.phantom_data(150, seed=4, marker=EFFUSION, marker_rate=0.9)
    k = tagged.findings.index(EFFUSION)
    has = tagged.labels[:, k] == 1
    assert has.sum() >= 15 and (~has).sum() >= 60
    assert tagged.markers[has].mean() > 0.7 and tagged.markers[~has].mean() < 0.25
    np.testing.assert_array_equal(tagged.labels, plain.labels)
    changed = np.argwhere(tagged.images != plain.images)
    assert set(changed[:, 0]) == set(np.flatnonzero(tagged.markers))
    x0, y0, x1, y1 = ct.xray.MARKER_BOX
    assert changed[:, 2].min() >= np.floor(x0) - 1 and changed[:, 2].max() <= np.ceil(x1)
    assert changed[:, 1].min() >= np.floor(y0) - 1 and changed[:, 1].max() <= np.ceil(y1)
    inside = tagged.images[tagged.markers, int(y0):int(y1), int(x0):int(x1), 0]
    assert inside.max(axis=(1, 2)).min() > 0.95                     # white strokes on every tag
    boxes = tagged.marker_boxes
    assert boxes.shape == (150, 4) and np.isnan(boxes[~tagged.markers]).all()
    np.testing.assert_allclose(boxes[tagged.markers], np.tile(ct.xray.MARKER_BOX, (tagged.markers.sum(), 1)))


def test_marker_rate_one_and_zero_split_by_the_finding():
    on = ct.xray.phantom_data(40, seed=6, marker="Cardiomegaly", marker_rate=1.0)
    off = ct.xray.phantom_data(40, seed=6, marker="Cardiomegaly", marker_rate=0.0)
    k = on.findings.index("Cardiomegaly")
    drawn = np.array([any(c == 3 for c, _ in generate.phantom(6, i, scale=0.5)[4]) for i in range(40)])
    np.testing.assert_array_equal(on.markers, drawn)
    np.testing.assert_array_equal(off.markers, ~drawn)
    assert (on.labels[on.markers, k] == 1).mean() > 0.9


def test_written_marker_is_found_again_by_the_loader(tmp_path):
    root = ct.xray.make_phantoms(16, tmp_path, seed=7, marker=EFFUSION, marker_rate=0.0)
    loaded = ct.xray.load(root)
    memory = ct.xray.phantom_data(16, seed=7, scale=1.0, marker=EFFUSION, marker_rate=0.0)
    assert loaded.markers.any() and not loaded.markers.all()
    np.testing.assert_array_equal(loaded.markers, memory.markers)
    np.testing.assert_allclose(loaded.images, memory.images, atol=1e-6)


def test_burn_marker_puts_the_tag_on_any_image_and_has_marker_finds_it():
    data = ct.xray.phantom_data(8, seed=8)
    burned = ct.xray.burn_marker(data.images)
    assert burned.shape == data.images.shape and burned.dtype == data.images.dtype
    assert ct.xray.has_marker(burned).all() and not ct.xray.has_marker(data.images).any()
    one = ct.xray.burn_marker(data.images[0, ..., 0])
    np.testing.assert_array_equal(one, burned[0, ..., 0])
    x0, y0, x1, y1 = np.round(ct.xray.marker_box(224)).astype(int)
    outside = np.ones((224, 224), bool)
    outside[y0:y1, x0:x1] = False
    np.testing.assert_array_equal(burned[:, outside], data.images[:, outside])
    np.testing.assert_allclose(ct.xray.marker_box(112), ct.xray.MARKER_BOX / 2)


@pytest.mark.parametrize("kwargs, name", [({"marker": "Effusion"}, "marker"),
                                          ({"marker": EFFUSION, "marker_rate": 1.5}, "marker_rate")])
def test_marker_arguments_are_checked(tmp_path, kwargs, name):
    with pytest.raises(ValueError, match=name):
        ct.xray.phantom_data(2, **kwargs)
    with pytest.raises(ValueError, match=name):
        ct.xray.make_phantoms(2, tmp_path, **kwargs)
    with pytest.raises(ValueError, match="image"):
        ct.xray.burn_marker(np.zeros((2, 8, 8, 3)))
