"""The learning path: one row per lesson, read by the tests, the README and ``course.py``.

Adding a lesson is one row here (plus its notebook, its exercises module and,
if it has one, its widget module): the tests then check that the notebook
exists, is numbered in order, opens with this title, imports these
exercises and widgets, and that the README's lesson table lists it.

This module imports nothing else from the package (``course.py`` reads it
before the course is installed).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lesson:
    """One lesson of the course.

    Attributes
    ----------
    number : str
        Two digits, "00" .. "11": the order of the learning path.
    title : str
        The notebook's first heading, after "# NN · ".
    notebook : str
        The file name in ``notebooks/``.
    exercises : str or None
        The module of ``camteach.exercises`` holding its checked exercises.
    widgets : tuple of str
        The explorers of ``camteach.widgets`` it shows.
    """

    number: str
    title: str
    notebook: str
    exercises: str | None = None
    widgets: tuple[str, ...] = ()


LESSONS: tuple[Lesson, ...] = (
    Lesson("00", "Start here", "00_start_here.ipynb", "lesson00"),
    Lesson("01", "CNN features: the image shrinks, the features grow",
           "01_cnn_features.ipynb", "lesson01"),
    Lesson("02", "Global average pooling: found *somewhere*, but where?",
           "02_pooling.ipynb", "lesson02", ("pooling_explorer",)),
    Lesson("03", "The last layer is a logistic regression",
           "03_logistic_regression.ipynb", "lesson03", ("weights_explorer",)),
    Lesson("04", "The class activation map",
           "04_class_activation_map.ipynb", "lesson04", ("cam_builder",)),
    Lesson("05", "Upsampling and overlay: from a 7x7 grid to a picture, and to a box",
           "05_upsampling_overlay.ipynb", "lesson05", ("cam_viewer",)),
    Lesson("06", "One class, many images: where CAMs help, and a model that cheats",
           "06_one_class_many_images.ipynb", "lesson06"),
    Lesson("07", "A real pre-trained network: ResNet50 on real photos",
           "07_pretrained_network.ipynb", "lesson07"),
    Lesson("08", "Grad-CAM: gradients explain networks that CAM cannot",
           "08_grad_cam.ipynb", "lesson08", ("layer_explorer",)),
    Lesson("09", "Grad-CAM versus LIME: cost, agreement, truth and stability",
           "09_gradcam_vs_lime.ipynb", "lesson09", ("lime_explorer",)),
    Lesson("10", "Chest X-rays: loading radiographs right, many findings, heat maps against radiologists",
           "10_chest_xrays.ipynb", "lesson10"),
    Lesson("11", "Judging explanations: metrics, their traps, and a leaderboard",
           "11_judging_explanations.ipynb", "lesson11"),
)


def lesson(number: str | int) -> Lesson:
    """The lesson numbered ``number`` (``4`` or ``"04"``)."""
    key = f"{int(number):02d}" if str(number).isdigit() else str(number)
    for row in LESSONS:
        if row.number == key:
            return row
    raise ValueError(f"number: expected one of {[row.number for row in LESSONS]}, got {number!r}")
