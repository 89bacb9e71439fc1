"""A procedural world of objects built from named parts, with exact masks.

Offline there are no ImageNet photos, so the course brings its own world in
which every explanation can be *measured*. A scene is a cluttered, textured
background with one (or two) objects on it, each drawn from named parts
(:data:`PARTS`): a face's eye, nose and mouth, a car's body, wheel and
window, a house's wall, roof, door and window, a flower's petal, centre and
stem.

For every scene the generator also returns the exact mask of every object and
of every part (the pixels where it is *visible* in the final image), its tight
box, and, for the shortcut variant, the pixels of the spurious cue. So "the
CAM points at the face" or "channel 17 is the wheel detector" can be checked
against the truth.

Everything is drawn with Pillow on integer pixel coordinates, and one label
image is painted per scene: the RGB image is coloured from that label image,
and the masks are read from it, so image and masks agree pixel for pixel.

Scene ``i`` of ``make_scenes(n, seed)`` depends only on ``(seed, i)``, so
generation can be split in chunks with ``start=`` and gives the same pixels
on every machine (for a given Pillow version).

The modules: :mod:`.truth` (names, :class:`Scenes`, :class:`PartMasks`),
:mod:`.palette` and :mod:`.shapes` (colours, polygons), :mod:`.objects` (the
four blueprints), :mod:`.placement`, :mod:`.background`, :mod:`.render`
(painting one scene, reading its truth) and :mod:`.generate` (the public
functions below).

Examples
--------
>>> s = make_scenes(8, seed=0, size=224)
>>> s.images.shape, s.masks.shape, s.parts["wheel"].shape, s.boxes.shape
((8, 224, 224, 3), (8, 224, 224), (8, 224, 224), (8, 4))
>>> sorted(s.labels.tolist())
[0, 0, 1, 1, 2, 2, 3, 3]
"""

from .generate import draw_scene, make_backgrounds, make_scenes, scene_batches
from .truth import CLASS_NAMES, CUE_COLOR, PART_NAMES, PARTS, PartMasks, Scenes, mask_box

#: Which scenes are for what, everywhere in the course: models train on seed 0
#: (the shortcut model on 4), thresholds are chosen on seed 1, and every figure
#: the course reports is measured on seed 2, which nothing was trained or tuned on.
TRAIN_SEED, VAL_SEED, TEST_SEED = 0, 1, 2

__all__ = [
    "CLASS_NAMES", "PARTS", "PART_NAMES", "CUE_COLOR", "Scenes", "PartMasks",
    "make_scenes", "draw_scene", "make_backgrounds", "scene_batches", "mask_box",
    "TRAIN_SEED", "VAL_SEED", "TEST_SEED",
]
