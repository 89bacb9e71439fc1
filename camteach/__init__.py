"""camteach: the helper package of a course on Class Activation Maps.

The notebooks in ``notebooks/`` import it as ``import camteach as ct``::

    res = ct.cam(model, images, top=5)        # lesson 04
    heat = ct.upsample(res.maps, 224)         # lesson 05
    picture = ct.overlay(image, res.maps[0, 0])

    res = ct.explain(model, images, method="grad_cam")   # any method by name
    ct.methods.names()                                   # the registered methods
"""

import os as _os
import sys as _sys

_os.environ.setdefault("KERAS_BACKEND", "tensorflow")
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with the process's stderr closed for the moment.

    TensorFlow's C++ start-up lines ("All log messages before
    absl::InitializeLog()", "oneDNN custom operations are on") are written to
    file descriptor 2 before any setting can silence them, and a notebook shows
    them as a red warning box under the first import. Python errors still
    surface: an ImportError is raised after stderr is restored.
    """
    if "tensorflow" in _sys.modules:
        return
    try:
        saved, null = _os.dup(2), _os.open(_os.devnull, _os.O_WRONLY)
    except OSError:          # no usable stderr descriptor: import as usual
        saved = null = None
    try:
        if saved is not None:
            _os.dup2(null, 2)
        import tensorflow  # noqa: F401
    finally:
        if saved is not None:
            _os.dup2(saved, 2)
            _os.close(saved)
            _os.close(null)


_import_tensorflow_quietly()

from .maps import Features, class_activation_maps, features, top_classes  # noqa: E402
from . import methods  # noqa: E402
from .methods import CamResult, cam, explain, grad_cam  # noqa: E402
from .course_model import build_course_model, load_course_model, with_head  # noqa: E402
from .graph import layer_shapes  # noqa: E402
from .heatmap import colorize, normalize, overlay, upsample  # noqa: E402
from . import plots  # noqa: E402
from . import superpixels  # noqa: E402
from .metrics import (box_iou, cam_box, choose_threshold, confusion_matrix, dissect,  # noqa: E402
                      energy_pointing, peak_distance, pointing_game)
from .metrics import (baselines, deletion_auc, insertion_auc, randomization_check,  # noqa: E402
                      road)
from .pretrained import (WeightsUnavailableError, decode, imagenet_class_names,  # noqa: E402
                         load_pretrained, preprocess)
from .scenes import (CLASS_NAMES, PARTS, TEST_SEED, VAL_SEED, Scenes, draw_scene,  # noqa: E402
                     make_backgrounds, make_scenes)
from .photos import Photos, photos  # noqa: E402
from .networks import LessonNetwork, pretrained_or_fallback  # noqa: E402
from . import xray  # noqa: E402
from .xray.model import load_xray_model  # noqa: E402
from . import ranking  # noqa: E402
from .ranking import rank_methods  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "CLASS_NAMES", "PARTS", "CamResult", "Features", "Scenes", "WeightsUnavailableError",
    "box_iou", "build_course_model", "cam", "cam_box", "choose_threshold", "class_activation_maps", "colorize",
    "confusion_matrix", "decode", "dissect", "draw_scene", "energy_pointing", "explain", "features", "grad_cam", "imagenet_class_names", "layer_shapes",
    "load_course_model", "load_pretrained", "make_backgrounds", "make_scenes", "methods", "normalize", "overlay",
    "peak_distance", "plots", "pointing_game", "superpixels", "preprocess", "top_classes", "upsample",
    "baselines", "deletion_auc", "insertion_auc", "randomization_check", "road",
    "LessonNetwork", "Photos", "photos", "pretrained_or_fallback",
    "load_xray_model", "xray", "rank_methods", "ranking", "TEST_SEED", "VAL_SEED", "with_head",
]
