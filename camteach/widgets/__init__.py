"""Interactive explorers (ipywidgets 8) that answer without re-running the network.

Five explorers, one per ingredient of the CAM and one for its layer (Grad-CAM)::

    from camteach import widgets
    widgets.pooling_explorer(model, "face")      # the map moves, the mean (GAP) stays
    widgets.weights_explorer(model, image)       # the dense layer as a regression
    widgets.cam_builder(model, image)            # the CAM built term by term
    widgets.cam_viewer(model, image, box)        # upsampling, colours, threshold, box, peak
    widgets.layer_explorer(model, image, layers) # one method's map at several layers
    widgets.lime_explorer(model, scenes)         # Grad-CAM beside LIME, settings precomputed

They draw as ``camteach.plots`` does: signed maps on one shared, zero-centred
scale (``RdBu_r``: white 0, red > 0, blue < 0) with a colour bar, the class
and its score in the titles, the CAM box, the true box and the peak named in
a legend, pictures at 100 dpi with map panels of 280-330 px.

Each returns an :class:`Explorer` that displays itself in a notebook and has

- ``.widget``: the ipywidgets container (controls above a picture);
- ``.controls``: name -> control widget (set ``.value`` to drive it from code);
- ``.figure``: the matplotlib Figure it draws (object-oriented API, Agg canvas,
  no pyplot state);
- ``.state``: the numbers the picture currently shows (for tests and exercises);
- ``.artists``: the matplotlib artists it updates in place.

The network runs once, when the explorer is built (``ct.features`` on the
image, or on a grid of object positions for the pooling explorer). A control
change only does NumPy on the cached arrays, updates the artists in place,
renders the figure with Agg and sends it (JPEG or PNG, see ``PICTURE_FORMAT``)
to an ``ipywidgets.Image``,
synchronously: when ``control.value = v`` returns, ``.state`` and the picture
are up to date. This works the same in JupyterLab, Voila and in tests without
a frontend.

Modules: :mod:`.base` (the :class:`Explorer` machinery and its inputs),
:mod:`.drawing` (matplotlib helpers), and one module per explorer
(:mod:`.pooling`, :mod:`.weights`, :mod:`.cam_builder`, :mod:`.cam_viewer`).
"""

from __future__ import annotations

#: How the figure travels to the browser: "jpeg" (default: ~2 ms to encode and
#: ~60 KB for the CAM viewer, against ~12 ms and ~150 KB for PNG, which
#: matters on Binder/JupyterHub) or "png" (lossless, for screenshots). Read
#: when an explorer is built: set ``camteach.widgets.PICTURE_FORMAT = "png"``.
PICTURE_FORMAT = "jpeg"

from .base import Explorer  # noqa: E402
from .cam_builder import CamBuilder, cam_builder  # noqa: E402
from .cam_viewer import CamViewer, cam_viewer  # noqa: E402
from .layer_explorer import LayerExplorer, layer_explorer  # noqa: E402
from .lime_explorer import LimeExplorer, lime_explorer  # noqa: E402
from .pooling import PoolingExplorer, pooling_explorer  # noqa: E402
from .weights import WeightsExplorer, weights_explorer  # noqa: E402

__all__ = ["Explorer", "PoolingExplorer", "WeightsExplorer", "CamBuilder", "CamViewer",
           "pooling_explorer", "weights_explorer", "cam_builder", "cam_viewer",
           "LayerExplorer", "layer_explorer", "LimeExplorer", "lime_explorer"]
