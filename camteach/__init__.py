"""camteach: the helper package of a course on Class Activation Maps.

The notebooks in ``notebooks/`` import it as ``import camteach as ct``::

    res = ct.cam(model, images, top=5)        # lesson 04
    heat = ct.upsample(res.maps, 224)         # lesson 05
    picture = ct.overlay(image, res.maps[0, 0])

Each function's docstring names the lessons that use it.
"""

import os as _os

_os.environ.setdefault("KERAS_BACKEND", "tensorflow")
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from .maps import (CamResult, Features, cam, class_activation_maps,  # noqa: E402
                  features, grad_cam, top_classes)
from .heatmap import colorize, normalize, overlay, upsample  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "CamResult", "Features", "cam", "class_activation_maps", "colorize", "features",
    "grad_cam", "normalize", "overlay", "top_classes", "upsample",
]
