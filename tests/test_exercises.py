"""The checked exercises of lessons 00-06: solutions pass, typical mistakes are named.

Small hand-made arrays stand in for the course model's outputs (F >= 0, W,
b, CAMs, masks); they are built so that every typical wrong answer differs
from the right one and from the other wrong answers, so each mistake's own
message must show.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from scipy.special import softmax

import camteach as ct
from camteach import exercises as ex

NAMES = ("face", "car", "house", "flower", "tree", "boat")


def _relu(x):
    return np.maximum(x, 0).astype(np.float32)


def lesson00():
    batch = SimpleNamespace(images=np.zeros((5, 224, 224, 3), np.uint8))
    return ex.lesson00.bind(model=ct.build_course_model(widths=(8, 8, 8, 16), seed=0),
                            batch=batch)


def lesson01():
    rng = np.random.default_rng(0)
    n, h, channels, size = 4, 14, 13, 56
    F4 = _relu(rng.normal(size=(n, h, h, channels)) * 0.1)        # an earlier layer, 14x14
    wheel_cells = np.zeros((n, h, h), bool)
    for i in range(n):
        wheel_cells[i, 8 + i % 2:11 + i % 2, 2 + 2 * i:5 + 2 * i] = True
    F4[..., 3] = wheel_cells                      # the wheel detector
    F4[..., 5] = 2.0                              # fires everywhere
    F4[..., 7] = 3.0 * (wheel_cells | (np.arange(h)[None, :, None] < 8))  # wheels + sky
    F4[1, 6, 6, 9] = 3.5                          # the hottest value, somewhere
    wheels = np.repeat(np.repeat(wheel_cells, size // h, axis=1), size // h, axis=2)
    probe_F = _relu(rng.normal(size=(n, 7, 7, 6)))                # the last layer, 7x7
    probe_F[..., 2] = 4.0 * wheel_cells[:, ::2, ::2]              # its own wheel channel
    sky = np.zeros_like(wheels)
    sky[:, :size // 3] = True
    probe = SimpleNamespace(images=np.zeros((n, size, size, 3), np.uint8),
                            parts={"sky": sky, "wheel": wheels})
    return ex.lesson01.bind(F4=F4, probe=probe, probe_F=probe_F)


def lesson02():
    rng = np.random.default_rng(1)
    F_car = _relu(rng.normal(size=(7, 7, 10)))
    F_car_moved = np.roll(F_car, 2, axis=1) + _relu(rng.normal(size=F_car.shape) * 0.05)
    F = _relu(rng.normal(size=F_car.shape))                       # the lesson's own scene
    return ex.lesson02.bind(F_car=F_car, F_car_moved=F_car_moved, F=F)


def _dense(seed, channels, classes):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(channels, classes)).astype(np.float32)
    b = rng.normal(size=classes).astype(np.float32)
    return W, b


def lesson03():
    pair_pooled, pooled = _relu(np.random.default_rng(2).normal(size=(2, 10)))
    W, b = _dense(7, 10, 5)
    return ex.lesson03.bind(pair_pooled=pair_pooled, W=W, b=b, c=1, pooled=pooled,
                            class_names=NAMES[:5])


def lesson04():
    F, F2 = _relu(np.random.default_rng(4).normal(size=(2, 7, 7, 6)))    # lesson's, new
    W, b = _dense(20, 6, 6)
    logits = (F.mean(axis=(0, 1)) @ W + b).astype(np.float32)           # the lesson's scene
    return ex.lesson04.bind(F2=F2, c2=2, W=W, b=b, F=F, c=1, logits=logits,
                            class_names=NAMES)


def lesson05():
    cam = np.full((7, 7), -0.5, np.float32)
    cam[1:4, 1:3] = [[2.0, 2.5], [3.0, 2.8], [1.5, 1.2]]       # the object
    cam[5, 5] = 1.5                                             # a second, small blob
    lesson_cam = np.roll(cam, (2, 3), axis=(0, 1))                # the lesson's own CAM
    return ex.lesson05.bind(cam2=cam, true_box2=[40, 30, 110, 130], cam=lesson_cam, size=224)


def lesson06():
    size = 224
    plan = [((0, 3), (0, 10)),      # (peak cell, stripe rows): the peak on the stripe
            ((1, 2), (0, 10)),      # 38 px below it: a miss
            ((3, 3), (214, 224)),   # far from it
            ((2, 4), (40, 50)),     # 30 px away (bilinear), 15 px with nearest
            ((4, 4), None),         # no stripe (a car)
            ((6, 5), (220, 224)),   # 12 px: a hit within 15 px, not strictly
            ((6, 1), (200, 224)),   # on it
            ((5, 5), (0, 10)),      # far
            ((2, 1), (40, 50))]     # 30 px away (bilinear), 15 px with nearest
    n = len(plan)
    maps = np.zeros((n, 7, 7), np.float32)
    masks = np.zeros((n, size, size), bool)
    cues = np.zeros((n, size, size), bool)
    for i, ((r, c), rows) in enumerate(plan):
        maps[i, r, c] = 5.0
        masks[i, 100:140, 90:150] = True
        if rows:
            cues[i, rows[0]:rows[1]] = True
    clean_maps = maps[[2, 3, 4, 7]].copy()
    clean_masks = np.zeros((4, size, size), bool)
    clean_masks[0, 90:130, 90:130] = True       # peak (3, 3): on it
    clean_masks[1, 40:60, 100:160] = True       # peak (2, 4): on it
    clean_masks[2, 150:170, 150:160] = True     # peak (4, 4): 10 px away, a hit
    clean_masks[3, 150:200, 10:40] = True       # far: 3 of 4 is "some"
    return ex.lesson06.bind(maps=maps, masks=masks, cue_masks=cues, clean_maps=clean_maps,
                            clean_masks=clean_masks)


def lesson07():
    rng = np.random.default_rng(7)
    F = _relu(rng.normal(size=(7, 7, 64)))
    W = (rng.normal(size=(64, 1000)) * 0.05).astype(np.float32)
    b = (rng.normal(size=1000) * 0.5).astype(np.float32)
    photo = rng.integers(0, 256, size=(16, 16, 3)).astype(np.uint8)
    W_random, b_random = rng.normal(0, 0.02, W.shape), rng.normal(0, 1, b.shape)
    return ex.lesson07.bind(F=F, W=W, b=b, c=812, photo=photo, W_random=W_random, b_random=b_random)


def lesson08():
    rng = np.random.default_rng(8)
    F = rng.uniform(0, 2, (1, 7, 7, 16)).astype(np.float32)
    W = rng.normal(size=(16, 4)).astype(np.float32)
    size, n = 224, 6
    masks = np.zeros((n, size, size), bool)
    masks[:, 96:128, 96:128] = True                           # the object, mid-image
    peaks = [(6, 6), (7, 7), (3, 3), (0, 0), (7, 6), (13, 13)]  # 14x14 cells (16 px each)
    maps = np.zeros((n, 14, 14), np.float32)
    for i, (r, c) in enumerate(peaks):
        maps[i, r, c] = 1.0                                   # 3 hits, 1 near miss, 2 far
    coarse = maps.reshape(n, 7, 2, 7, 2).max(axis=(2, 4))     # a 7x7 layer
    fine = np.zeros((n, 28, 28), np.float32)
    fine[:, 14, 14] = 1.0                                     # always on the object
    fine[:2, 0, 0] = 2.0                                      # except twice
    logits = rng.normal(0, 3, (n, 4)).astype(np.float32)
    labels = np.array([0, 1, 2, 3, 1, 0])
    return ex.lesson08.bind(F=F, W=W, c=2, maps=maps, masks=masks,
                            maps_by_layer={"block1_conv2": fine, "block2_conv2": coarse,
                                           "block3_conv2": maps},
                            logits=logits, labels=labels)


def lesson09():
    import keras
    keras.utils.set_random_seed(9)
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3)(keras.layers.GlobalAveragePooling2D()(x)))
    rng = np.random.default_rng(9)                 # smooth colour blobs: superpixels follow them
    coarse = rng.uniform(0, 255, (4, 4, 3))
    image = (np.repeat(np.repeat(coarse, 8, axis=0), 8, axis=1)
             + rng.normal(0, 4, (32, 32, 3))).astype("float32")
    res = ct.explain(model, image, "lime", classes=1, num_samples=200, n_segments=16)
    heat = ct.upsample(ct.grad_cam(model, image, classes=1).maps[0, 0], 32)
    mask = np.zeros((32, 32), bool)
    mask[8:24, 4:20] = True
    return ex.lesson09.bind(res_new=res, heat=heat, mask=mask)


_XRAY: dict = {}         # the X-ray model and phantoms, made once (bind is cheap then)


def lesson10():
    if not _XRAY:
        _XRAY.update(model=ct.load_xray_model(), new=ct.xray.phantom_data(6, seed=10, start=40))
    new = _XRAY["new"]
    i = int(np.flatnonzero(new.labels.any(axis=1))[0])
    k = int(np.flatnonzero(new.labels[i])[0])
    return ex.lesson10.bind(model=_XRAY["model"], new=new, i=i, k=k)


def lesson11():
    new = ct.make_scenes(6, seed=11)                          # the course model, other scenes
    return ex.lesson11.bind(model=ct.load_course_model(), images=new.images, labels=new.labels,
                            masks=new.masks)


LESSONS = {"00": lesson00, "01": lesson01, "02": lesson02, "03": lesson03, "04": lesson04,
           "05": lesson05, "06": lesson06, "07": lesson07,
           "08": lesson08, "09": lesson09, "10": lesson10, "11": lesson11}
COUNTS = {"00": 2, "01": 4, "02": 4, "03": 4, "04": 5, "05": 4, "06": 3, "07": 5, "08": 4, "09": 3,
          "10": 4, "11": 3}
EXERCISES = [(lesson, i) for lesson, count in COUNTS.items() for i in range(count)]
IDS = [f"lesson{lesson}-q{i + 1}" for lesson, i in EXERCISES]


@pytest.fixture(params=EXERCISES, ids=IDS)
def exercise(request):
    lesson, i = request.param
    return LESSONS[lesson]()[i]


def _out(capsys):
    return capsys.readouterr().out


def test_lessons_bind_the_documented_number_of_exercises():
    for lesson, count in COUNTS.items():
        bound = LESSONS[lesson]()
        assert len(bound) == count
        assert [q.label for q in bound] == [f"q{i + 1}" for i in range(count)]
        assert all(isinstance(q, ex.Exercise) for q in bound)
        assert getattr(ex, f"lesson{lesson}").bind.__doc__


def test_printed_solution_runs_and_passes(exercise, capsys):
    exercise.solution()
    code = _out(capsys)
    assert exercise.var in code
    namespace = exercise.namespace()
    exec(code, namespace)                     # noqa: S102 (our own solution text)
    assert exercise.check(namespace[exercise.var]) is True
    assert _out(capsys).startswith("Correct!")


def test_unanswered_is_not_an_error(exercise, capsys):
    assert exercise.check(...) is None            # not echoed as a bare False in a notebook
    assert exercise.check() is None
    out = _out(capsys)
    assert out.startswith("Unanswered: replace `...`") and f"{exercise.label}.hint()" in out


def test_every_typical_mistake_is_named(exercise, capsys):
    assert exercise.mistakes, "each exercise knows some typical wrong answers"
    values = [exercise.kind.read(make()) for make, _ in exercise.mistakes]
    for (make, message), value in zip(exercise.mistakes, values):
        # the data must tell this mistake apart from the answer and the other mistakes
        assert not exercise.kind.same(value, exercise.expected), message
        assert sum(exercise.kind.same(value, other) for other in values) == 1, message
        _out(capsys)
        assert exercise.check(make()) is False
        assert _out(capsys).strip() == f"Not quite: {message}"


def _random_wrong(exercise, rng):
    want, kind = exercise.expected, exercise.kind
    if isinstance(kind, ex.Numbers):
        spread = np.abs(want).max() + 1.0
        return want + rng.normal(size=np.shape(want)) * spread
    if isinstance(kind, ex.Index):
        return (want + 1 + rng.integers(kind.count - 1)) % kind.count
    if isinstance(kind, ex.Box):
        return want + rng.integers(1, 9, size=4)
    if isinstance(kind, ex.Choice):
        others = [option for option in kind.options if option != want]
        return others[rng.integers(len(others))]
    assert isinstance(kind, ex.IndexSet)
    subset = np.flatnonzero(rng.random(kind.count) < 0.5)
    return subset if not np.array_equal(subset, want) else np.arange(kind.count)


def test_a_random_wrong_answer_fails(exercise, capsys):
    rng = np.random.default_rng(7)
    for _ in range(3):
        assert exercise.check(_random_wrong(exercise, rng)) is False
        assert _out(capsys).startswith("Not quite:")


def test_hints_go_from_vague_to_specific_and_solution_prints(exercise, capsys):
    assert len(exercise.hints) >= 2
    printed = []
    for _ in range(len(exercise.hints) + 1):
        exercise.hint()
        printed.append(_out(capsys).strip())
    assert printed[0].startswith(f"Hint 1/{len(exercise.hints)}:")
    assert printed[1] != printed[0] and printed[-1] == printed[-2]
    assert "solution()" in printed[-1]
    exercise.solution()
    assert _out(capsys).strip().startswith(f"# Solution to {exercise.label}")
    assert exercise.question and exercise.question in repr(exercise)


# ---- messages about the form of an answer -----------------------------------

def test_cam_with_the_batch_axis_kept(capsys):
    q2 = lesson04()[1]
    assert q2.check(q2.expected[None]) is False
    assert "expected shape (7, 7), got (1, 7, 7): did you keep the batch axis?" in _out(capsys)


def test_pooled_with_the_batch_axis_dropped():
    message = ex.Numbers().diagnose(np.ones(10), np.ones((1, 10)))
    assert "expected shape (1, 10), got (10,): did you drop the batch axis?" in message


def test_pooled_of_one_image_with_batch_axes(capsys):
    q1 = lesson02()[0]                            # F_car is one image (7, 7, C)
    assert q1.check(q1.data["F_car"].mean(axis=(1, 2))) is False
    assert "F_car is one image (h, w, C)" in _out(capsys)


def test_choice_answers(capsys):
    q4 = lesson03()[3]
    assert q4.check("  Sigmoid ") is True         # case and spaces do not matter
    assert q4.check(1) is False
    assert "a string, in quotes" in _out(capsys)
    assert q4.check("logits") is False
    assert "expected one of ['sigmoid', 'softmax', 'both', 'neither']" in _out(capsys)


@pytest.mark.parametrize("answer, says", [
    (np.full((7, 7), np.nan), "NaN"),
    (np.full((7, 7), np.inf), "inf"),
    (np.ones((7, 7)) > 0, "True/False"),
    ("cam", "expected a number or an array of numbers, got str"),
    (None, "got None"),
    ([[1, 2], [3]], "expected a number or an array of numbers"),
    (3.0, "got a single number"),
    (np.ones((7, 6)), "expected shape (7, 7), got (7, 6)"),
])
def test_malformed_cam_answers(answer, says, capsys):
    q2 = lesson04()[1]
    assert q2.check(answer) is False
    out = _out(capsys)
    assert out.startswith("Not quite:") and says in out


def test_generic_diagnoses_of_numbers(capsys):
    q2 = lesson04()[1]
    assert q2.check(q2.expected - 0.37) is False
    assert "off by the same amount (-0.37)" in _out(capsys)
    assert q2.check(q2.expected * 2.5) is False
    assert "2.5 times the expected one" in _out(capsys)
    assert q2.check(q2.expected.T[:, ::-1]) is False
    assert "of the values differ" in _out(capsys)
    q3 = lesson04()[2]
    assert q3.check(np.array([q3.expected])) is True          # a 1-element array is a number
    assert q3.check(np.ones(3)) is False
    assert "expected a single number" in _out(capsys)


def test_float32_answers_pass_within_tolerance(capsys):
    for q in lesson04()[:3]:
        assert q.check(np.asarray(q.expected, np.float32)) is True
    assert lesson03()[0].check((lesson03()[0].expected * (1 + 1e-6)).astype(np.float32))


def test_index_answers(capsys):
    q4 = lesson04()[3]
    want = int(q4.expected)
    assert q4.check(NAMES[want]) is True                       # a class name is fine
    assert q4.check(float(want)) is True
    assert q4.check(np.array([want])) is True
    assert q4.check(np.arange(6)) is False
    assert "did you forget np.argmax" in _out(capsys)
    assert q4.check(2.5) is False
    assert "whole number" in _out(capsys)
    assert q4.check(True) is False
    assert "True/False" in _out(capsys)
    assert q4.check("zebra") is False
    assert "one of ['face'" in _out(capsys)
    assert q4.check(17) is False
    assert "out of range: there are 6 classes" in _out(capsys)


def test_box_and_index_set_answers(capsys):
    q2 = lesson05()[1]
    assert q2.check(tuple(int(v) for v in q2.expected)) is True
    assert q2.check([1, 2, 3]) is False
    assert "4 numbers (x0, y0, x1, y1)" in _out(capsys)
    assert q2.check([50, 50, 40, 60]) is False
    assert "x1 > x0" in _out(capsys)
    missed = lesson06()[1]
    mask = np.zeros(9, bool)
    mask[missed.expected] = True
    assert missed.check(mask) is True                          # a True/False mask is fine
    assert missed.check(list(missed.expected[::-1])) is True   # order does not matter
    assert missed.check(np.ones(4, bool)) is False
    assert "one entry per image (9,)" in _out(capsys)
    assert missed.check([9]) is False
    assert "indices must be in 0..8" in _out(capsys)


def test_solutions_build_on_earlier_answers():
    q1, q2, q3, q4, q5 = lesson04()
    assert "cam2" in q3.namespace() and np.allclose(q3.namespace()["cam2"], q2.expected)
    assert "w2" in q2.namespace() and np.allclose(q2.namespace()["w2"], q1.expected)
    assert {"np", "ct", "F2", "c2", "W", "b", "F", "c", "logits"} <= set(q1.namespace())
    assert q1.namespace()["ct"] is ct


def test_bind_refuses_softmax_outputs_as_logits():
    F = _relu(np.random.default_rng(4).normal(size=(2, 7, 7, 6)))
    W, b = _dense(11, 6, 6)
    probs = softmax(F.mean(axis=(1, 2)) @ W + b, axis=-1)
    logits = F.mean(axis=(1, 2)) @ W + b
    with pytest.raises(ValueError, match="before the sigmoid/softmax"):
        ex.lesson04.bind(F2=F[1], c2=2, W=W, b=b, F=F[0], c=1, logits=probs[0])
    with pytest.raises(ValueError, match="c: expected a class index"):
        ex.lesson04.bind(F2=F[1], c2=2, W=W, b=b, F=F[0], c=6, logits=logits[0])
    with pytest.raises(ValueError, match="c2: expected a class index"):
        ex.lesson04.bind(F2=F[1], c2=6, W=W, b=b, F=F[0], c=1, logits=logits[0])
    with pytest.raises(ValueError, match="F_car: expected 3 axes"):
        ex.lesson02.bind(F_car=F, F_car_moved=F, F=F)
