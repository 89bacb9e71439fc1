"""Exercises of the start-here lesson: how exercises work, on two warm-up questions.

``q1, q2 = lesson00.bind(model=model, batch=batch)``; ``help(lesson00.bind)``
shows what to bind.
"""

from __future__ import annotations

from typing import Any

import keras

import camteach as ct

from .checking import Exercise, Numbers, Sheet


def bind(model: keras.Model, batch: Any) -> tuple[Exercise, Exercise]:
    """The warm-up exercises: how many classes, and what shape do the scores have?

    Parameters
    ----------
    model : keras.Model
        The course model (``ct.load_course_model()``).
    batch : Scenes (or anything with ``.images``, (N, H, W, 3))
        A few scenes (``ct.make_scenes(5, seed=7)``), for q2.

    Returns
    -------
    q1, q2 : Exercise
        q1 ``answer``: the number of classes the model scores. q2 ``shape``
        (predict, then check): the shape of ``model.predict(batch.images)``,
        one row per image and one score per class.
    """
    count = int(model.outputs[0].shape[-1])
    features = int(model.get_layer("avg_pool").output.shape[-1])
    n = len(batch.images)
    sheet = Sheet(model=model, batch=batch)
    sheet.add(
        question="How many classes does the course model know?",
        var="answer", code="answer = model.outputs[0].shape[-1]   # or len(ct.CLASS_NAMES)",
        answer=lambda: count, kind=Numbers(rtol=0, scale=1.0),
        why=f"the model scores {count} classes: {', '.join(ct.CLASS_NAMES)}. Every lesson's "
            f"heat maps explain one of these scores.",
        hints=("Each class gets one score: look at the size of the model's output.",
               "model.outputs[0].shape[-1], or len(ct.CLASS_NAMES)."),
        mistakes=[
            (lambda: count - 1, "that is the index of the *last* class. Indices start at 0: "
                                "how many indices run from 0 up to it?"),
            (lambda: features, "that is the number of features the classifier reads (its "
                               "input), not the number of classes it scores (its output)."),
            (lambda: 1000, "1000 is ImageNet's number of classes (ResNet50); the course "
                           "model has its own, much shorter list."),
        ])
    sheet.add(
        question=f"Predict, then check: what shape does `model.predict(batch.images)` return "
                 f"for the {n} scenes of `batch`? Write it as a tuple.",
        var="shape", code="shape = model.predict(batch.images, verbose=0).shape",
        answer=lambda: (n, count), kind=Numbers(rtol=0, scale=1.0),
        why=f"one row per image ({n}) and one score per class ({count}): the network "
            f"classifies a whole batch at once. `model.predict(batch.images, verbose=0)` "
            f"shows the numbers.",
        hints=("A classifier gives every image one score per class.",
               "(number of images, number of classes): len(batch.images) rows."),
        mistakes=[
            (lambda: (count, n), "the axes are the other way round: the first axis is the "
                                 "batch (one row per image), the second the classes."),
            (lambda: (n, features), "that many numbers is what the last layer *reads* per "
                                    "image (the features); it outputs one score per class."),
            (lambda: (1, count), "that is the shape for one image; the batch has more."),
            (lambda: (count,), "that is the shape for one image without its batch axis; "
                               "`predict` keeps one row per image."),
        ])
    return tuple(sheet.exercises)
