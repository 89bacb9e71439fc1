"""Exercise of the start-here lesson: how exercises work, on one warm-up question.

``q1 = lesson00.bind(model=model)``; ``help(lesson00.bind)`` shows what to bind.
"""

from __future__ import annotations

import keras

import camteach as ct

from .checking import Exercise, Numbers, Sheet


def bind(model: keras.Model) -> Exercise:
    """The warm-up exercise: how many classes?

    Parameters
    ----------
    model : keras.Model
        The course model (``ct.load_course_model()``).

    Returns
    -------
    q1 : Exercise
        ``answer``: the number of classes the model scores (one exercise,
        so it is returned alone, not in a tuple).
    """
    count = int(model.outputs[0].shape[-1])
    features = int(model.get_layer("avg_pool").output.shape[-1])
    sheet = Sheet(model=model)
    return sheet.add(
        question="How many classes does the course model know?",
        var="answer", code="answer = model.outputs[0].shape[-1]   # or len(ct.CLASS_NAMES)",
        answer=lambda: count, kind=Numbers(rtol=0, scale=1.0),
        why=f"the model scores {count} classes: {', '.join(ct.CLASS_NAMES)}. Every lesson's "
            f"heat maps explain one of these scores.",
        hints=("Each class gets one score: look at the size of the model's output.",
               "model.outputs[0].shape[-1], or len(ct.CLASS_NAMES)."),
        mistakes=[
            (lambda: count - 1, f"{count - 1} is the index of the last class: indices start "
                                f"at 0, so there are {count}."),
            (lambda: features, f"{features} is the number of features the classifier reads, "
                               f"not the number of classes."),
            (lambda: 1000, "1000 is ImageNet's number of classes (ResNet50); the course "
                           "model has its own."),
        ])
