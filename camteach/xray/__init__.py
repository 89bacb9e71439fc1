"""Chest X-rays in VinBigData's layout: phantoms, the loader, the course X-ray model.

    root = ct.xray.make_phantoms(60, "phantoms")     # train.csv + train/*.dicom
    data = ct.xray.load(root)                         # or the real data set's folder
    data.images, data.labels, data.findings, data.boxes

Phantoms are synthetic chest radiographs with known truth, never patients.
"""

from .dicom import to_display
from .generate import make_phantoms, phantom_data
from .marker import MARKER_BOX, burn_marker, has_marker, marker_box
from .phantoms import FINDINGS
from .readers import READERS, FusedBox, ReaderBox, agreement, fuse
from .vinbigdata import CLASS_NAMES, ENV, SIZE, XrayData, default_root, load

__all__ = ["CLASS_NAMES", "ENV", "FINDINGS", "MARKER_BOX", "READERS", "SIZE", "FusedBox", "ReaderBox",
           "XrayData", "agreement", "burn_marker", "default_root", "fuse", "has_marker", "load",
           "make_phantoms", "marker_box", "phantom_data", "to_display"]
