"""The checked exercises of lessons 00-06: solutions pass, typical mistakes are named.

Small hand-made arrays stand in for the course model's outputs (F >= 0, W,
b, CAMs, masks); they are built so that every typical wrong answer differs
from the right one and from the other wrong answers, so each mistake's own
message must show.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import softmax

import camteach as ct
from camteach import exercises as ex

NAMES = ("face", "car", "house", "flower", "tree", "boat")


def _relu(x):
    return np.maximum(x, 0).astype(np.float32)


def lesson00():
    return (ex.lesson00.bind(model=ct.build_course_model(widths=(8, 8, 8, 16), seed=0)),)


def lesson01():
    rng = np.random.default_rng(0)
    n, h, channels, size = 4, 7, 12, 56
    F = _relu(rng.normal(size=(n, h, h, channels)) * 0.1)
    wheel_cells = np.zeros((n, h, h), bool)
    for i in range(n):
        wheel_cells[i, 4 + i % 2:6 + i % 2, 1 + i:3 + i] = True
    F[..., 3] = wheel_cells                       # the wheel detector
    F[..., 5] = 2.0                               # fires everywhere
    F[..., 7] = 3.0 * (wheel_cells | (np.arange(h)[None, :, None] < 4))  # wheels + sky
    F[1, 3, 3, 9] = 3.5                           # the hottest value, somewhere
    wheels = np.repeat(np.repeat(wheel_cells, size // h, axis=1), size // h, axis=2)
    images = np.zeros((n, size, size, 3), np.uint8)
    return ex.lesson01.bind(F=F, images=images, parts={"wheel": wheels})


def lesson02():
    rng = np.random.default_rng(1)
    F = _relu(rng.normal(size=(3, 7, 7, 10)))
    F_moved = np.roll(F, 2, axis=2) + _relu(rng.normal(size=F.shape) * 0.05)
    return ex.lesson02.bind(F=F, F_moved=F_moved)


def _dense(seed, channels, classes):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(channels, classes)).astype(np.float32)
    b = rng.normal(size=classes).astype(np.float32)
    return W, b


def lesson03():
    pooled = _relu(np.random.default_rng(2).normal(size=(3, 10)))
    W, b = _dense(4, 10, 5)
    return ex.lesson03.bind(pooled=pooled, W=W, b=b, c=1, class_names=NAMES[:5])


def lesson04():
    F = _relu(np.random.default_rng(4).normal(size=(2, 7, 7, 6)))
    W, b = _dense(20, 6, 6)
    logits = (F.mean(axis=(1, 2)) @ W + b).astype(np.float32)
    return ex.lesson04.bind(F=F, W=W, b=b, logits=logits, c=1, class_names=NAMES)


def lesson05():
    cam = np.full((7, 7), -0.5, np.float32)
    cam[1:4, 1:3] = [[2.0, 2.5], [3.0, 2.8], [1.5, 1.2]]       # the object
    cam[5, 5] = 1.5                                             # a second, small blob
    return ex.lesson05.bind(cam=cam, true_box=[40, 30, 110, 130], size=224)


def lesson06():
    n, size, cell = 6, 56, 8
    maps = np.zeros((n, 7, 7), np.float32)
    peaks = [(2, 2), (3, 3), (1, 5), (6, 6), (5, 2), (4, 1)]
    for i, (r, c) in enumerate(peaks):
        maps[i, r, c] = 5.0
    masks = np.zeros((n, size, size), bool)
    cues = np.zeros((n, size, size), bool)

    def block(r, c, inner=False):
        lo = 2 if inner else 0                    # inner: misses the cell's top-left pixel
        return (slice(r * cell + lo, (r + 1) * cell - lo),
                slice(c * cell + lo, (c + 1) * cell - lo))

    masks[0][block(2, 2)] = True                  # hit, with any upsampling
    masks[1][block(3, 3, inner=True)] = True      # hit with bilinear only
    masks[2][block(4, 4)] = True                  # peak elsewhere
    cues[3][block(6, 6)] = True                   # the CAM points at the cue
    cues[4][block(5, 2, inner=True)] = True       # ... bilinear only
    cues[5][block(6, 0)] = True                   # a cue the CAM ignores
    for i in range(3, n):
        masks[i, 20:30, 30:40] = True
    return ex.lesson06.bind(maps=maps, masks=masks, cue_masks=cues)


LESSONS = {"00": lesson00, "01": lesson01, "02": lesson02, "03": lesson03, "04": lesson04,
           "05": lesson05, "06": lesson06}
COUNTS = {"00": 1, "01": 3, "02": 3, "03": 3, "04": 4, "05": 3, "06": 2}
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
    assert exercise.check(...) is False
    assert exercise.check() is False
    out = _out(capsys)
    assert "replace `...`" in out and f"{exercise.label}.hint()" in out


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


def test_pooled_with_the_batch_axis_dropped(capsys):
    q1 = lesson02()[0]
    assert q1.check(q1.expected[0]) is False
    assert "did you drop the batch axis?" in _out(capsys)


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
    on_cue = lesson06()[1]
    mask = np.zeros(6, bool)
    mask[on_cue.expected] = True
    assert on_cue.check(mask) is True                          # a True/False mask is fine
    assert on_cue.check(list(on_cue.expected[::-1])) is True   # order does not matter
    assert on_cue.check(np.ones(4, bool)) is False
    assert "one entry per image (6,)" in _out(capsys)
    assert on_cue.check([9]) is False
    assert "indices must be in 0..5" in _out(capsys)


def test_solutions_build_on_earlier_answers():
    q1, q2, q3, q4 = lesson04()
    assert "cam" in q3.namespace() and np.allclose(q3.namespace()["cam"], q2.expected)
    assert {"np", "ct", "F", "W", "b", "logits", "c"} <= set(q1.namespace())
    assert q1.namespace()["ct"] is ct


def test_bind_refuses_softmax_outputs_as_logits():
    F = _relu(np.random.default_rng(4).normal(size=(2, 7, 7, 6)))
    W, b = _dense(11, 6, 6)
    probs = softmax(F.mean(axis=(1, 2)) @ W + b, axis=-1)
    with pytest.raises(ValueError, match="before the softmax"):
        ex.lesson04.bind(F=F, W=W, b=b, logits=probs, c=1)
    with pytest.raises(ValueError, match="c: expected a class index"):
        ex.lesson04.bind(F=F, W=W, b=b, logits=F.mean(axis=(1, 2)) @ W + b, c=6)
    with pytest.raises(ValueError, match="F: expected 4 axes"):
        ex.lesson02.bind(F=F[0], F_moved=F[0])
