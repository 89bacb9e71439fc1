"""Chest-radiograph phantoms: anatomy and findings drawn with known truth.

A phantom is an attenuation map ``m`` (H, W) in [0, 1] (1: bone, white on
the display; 0: air, black): soft tissue of the trunk, two lungs with their
vessel markings, the mediastinum, the heart on the diaphragm, the aortic
knob, the spine with its vertebrae, posterior ribs, the clavicles, the
hemidiaphragm domes (the right one higher), smoothing and quantum noise.
Six of VinBigData's findings are drawn where they occur (:data:`FINDINGS`):

- Aortic enlargement: a wide aortic knob left of the trachea (image right).
- Cardiomegaly: a heart wider than half the thorax.
- Consolidation: a fuzzy white patch inside a lung.
- Nodule/Mass: a round white opacity inside a lung.
- Pleural effusion: fluid at a lung base with a meniscus rising laterally.
- Pneumothorax: air outside a collapsed lung: no markings, a pleural line.

Images are in the radiological convention: the patient faces the viewer, so
the patient's left (heart, aortic knob) is on the image's right. They are
phantoms, not patients: every caption should say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

#: The drawn findings: VinBigData class id -> class name (class-id order).
FINDINGS = {0: "Aortic enlargement", 3: "Cardiomegaly", 4: "Consolidation",
            8: "Nodule/Mass", 10: "Pleural effusion", 12: "Pneumothorax"}
#: Share of phantoms drawn with no finding (VinBigData: about 70% of its images).
NO_FINDING_SHARE = 1 / 3


@dataclass
class Anatomy:
    """The random shape parameters of one phantom (normalised coordinates)."""

    cx: float                   # midline
    base: float                 # height of the diaphragm under the lungs
    lung_w: float               # lung half-width
    heart_w: float              # heart half-width (cardiomegaly: > 0.16)
    knob_r: float               # aortic knob radius (enlarged: > 0.04)
    rib_phase: float
    findings: dict = field(default_factory=dict)   # class id -> drawing parameters


def sample_anatomy(rng: np.random.Generator) -> Anatomy:
    """Draw one phantom's anatomy and its findings (about a third with none)."""
    a = Anatomy(cx=0.5 + rng.normal(0, 0.012), base=rng.uniform(0.70, 0.76),
                lung_w=rng.uniform(0.125, 0.145), heart_w=rng.uniform(0.13, 0.15),
                knob_r=rng.uniform(0.026, 0.032), rib_phase=rng.uniform(-0.01, 0.01))
    if rng.random() < NO_FINDING_SHARE:
        return a
    count = rng.choice([1, 2, 3], p=[0.55, 0.33, 0.12])
    for cid in rng.choice(sorted(FINDINGS), size=count, replace=False):
        cid = int(cid)
        side = int(rng.integers(2))                     # 0: image left, 1: image right
        if cid == 3:
            a.heart_w = rng.uniform(0.20, 0.225)
            a.findings[cid] = {}
        elif cid == 0:
            a.knob_r = rng.uniform(0.046, 0.056)
            a.findings[cid] = {}
        elif cid == 10:
            sides = (0, 1) if rng.random() < 0.25 else (side,)
            a.findings[cid] = {"sides": sides, "depth": rng.uniform(0.09, 0.17, size=2)}
        elif cid == 12:
            a.findings[cid] = {"side": side, "collapse": rng.uniform(0.55, 0.72)}
        elif cid == 8:
            a.findings[cid] = {"side": side, "u": rng.uniform(0.2, 0.8, size=2),
                               "r": rng.uniform(0.018, 0.045)}
        elif cid == 4:
            a.findings[cid] = {"side": side, "u": rng.uniform(0.3, 0.8, size=2),
                               "seed": int(rng.integers(1 << 30))}
    return a


def _ellipse(x, y, cx, cy, ax, ay, soft):
    """A soft-edged ellipse mask in [0, 1] (ramp width ``soft``, normalised units)."""
    r = np.sqrt(((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2)
    return np.clip((1 - r) * min(ax, ay) / soft + 0.5, 0, 1)


def _lung_centre(a: Anatomy, side: int) -> tuple[float, float]:
    return a.cx + (-1 if side == 0 else 1) * 0.175, 0.45


def _lung(a: Anatomy, x, y, side: int, soft: float, shrink: float = 1.0):
    """One lung: an ellipse widening to the base, cut by its hemidiaphragm dome."""
    lx, ly = _lung_centre(a, side)
    width = a.lung_w * shrink * (0.72 + 0.38 * np.clip((y - 0.15) / 0.5, 0, 1))
    r = np.sqrt(((x - lx) / width) ** 2 + ((y - ly) / (0.31 * shrink)) ** 2)
    body = np.clip((1 - r) * a.lung_w / soft + 0.5, 0, 1)
    dome = _dome(a, x, side)
    return body * np.clip((dome - y) / soft + 0.5, 0, 1)


def _dome(a: Anatomy, x, side: int):
    lx, _ = _lung_centre(a, side)
    top = a.base - (0.02 if side == 0 else 0.0)           # the right hemidiaphragm is higher
    return top - 0.05 * np.clip(1 - ((x - lx) / 0.17) ** 2, 0, 1)


def _box(mask: np.ndarray, level: float = 0.5) -> np.ndarray | None:
    """(x0, y0, x1, y1) in pixels around ``mask > level`` (x1, y1 exclusive)."""
    rows, cols = np.flatnonzero((mask > level).any(axis=1)), np.flatnonzero((mask > level).any(axis=0))
    if len(rows) == 0:
        return None
    return np.array([cols[0], rows[0], cols[-1] + 1, rows[-1] + 1], dtype=np.float64)


def _smooth_noise(rng, shape, cells: int):
    """Low-frequency noise: a ``cells`` x ``cells`` grid upsampled to ``shape``."""
    coarse = rng.standard_normal((cells, cells), dtype=np.float32)
    i0, wi = _linear(shape[0], cells)
    j0, wj = _linear(shape[1], cells)
    rows = coarse[:, j0] * (1 - wj) + coarse[:, j0 + 1] * wj              # (cells, W)
    return rows[i0] * (1 - wi)[:, None] + rows[i0 + 1] * wi[:, None]


def _linear(n: int, cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Left sample index and weight of linear interpolation from ``cells`` samples to ``n``."""
    at = np.clip((np.arange(n) + 0.5) * cells / n - 0.5, 0, cells - 1.001)
    return at.astype(int), (at - at.astype(int)).astype(np.float32)


def draw(a: Anatomy, shape: tuple[int, int], rng: np.random.Generator
         ) -> tuple[np.ndarray, list[tuple[int, np.ndarray]]]:
    """Draw a phantom.

    Parameters
    ----------
    a : Anatomy
        From :func:`sample_anatomy`.
    shape : (H, W)
        Pixels of the image.
    rng : numpy.random.Generator
        For the texture and noise.

    Returns
    -------
    m : numpy.ndarray, float32, (H, W)
        Attenuation in [0, 1] (white: bone).
    truth : list of (class id, box (4,) in pixels ``x0, y0, x1, y1``)
        Every drawn finding instance.
    """
    H, W = shape
    y = (np.arange(H, dtype=np.float32)[:, None] + 0.5) / H
    x = (np.arange(W, dtype=np.float32)[None, :] + 0.5) / W
    soft = 1.5 / min(H, W)
    full = np.zeros((H, W), np.float32)
    truth: list[tuple[int, np.ndarray]] = []

    trunk = _ellipse(x, y, a.cx, 0.62, 0.40, 0.62, 0.01) * np.clip((y - 0.04) / 0.03, 0, 1)
    m = full + 0.40 * trunk + 0.04
    lungs = [_lung(a, x, y, s, soft) for s in (0, 1)]
    markings = 0.5 + 0.5 * np.tanh(1.5 * _smooth_noise(rng, (H, W), 40))
    hilum = [np.exp(-(((x - _lung_centre(a, s)[0] * 0.6 - a.cx * 0.4) / 0.12) ** 2
                      + ((y - 0.42) / 0.12) ** 2)) for s in (0, 1)]
    air = [lungs[s] * (1 - 0.05 * markings - 0.08 * hilum[s]) for s in (0, 1)]

    if 12 in a.findings:                                   # pneumothorax: collapsed lung
        p = a.findings[12]
        s, lx = p["side"], _lung_centre(a, p["side"])[0]
        inner = _lung(a, x + (lx - a.cx) * (1 - p["collapse"]) * 0.35, y - 0.08 * (1 - p["collapse"]),
                      s, soft, shrink=p["collapse"] + 0.1)
        region = lungs[s] * (1 - inner)
        line = np.clip(1 - np.abs(inner - 0.5) * 4, 0, 1) * lungs[s]
        air[s] = lungs[s] * (1 - 0.05 * markings * inner) + 0.12 * region - 0.5 * line
        truth.append((12, _box(region)))
    m = m - 0.27 * (air[0] + air[1]) * trunk

    domes = np.where(x < a.cx, _dome(a, x, 0), _dome(a, x, 1))
    m = np.maximum(m, 0.46 * trunk * np.clip((y - domes) / soft + 0.5, 0, 1))
    mediastinum = _ellipse(x, y, a.cx, 0.40, 0.055, 0.32, 0.01)
    heart = _ellipse(x, y, a.cx + 0.045 + 0.3 * (a.heart_w - 0.14), a.base - 0.1, a.heart_w, 0.12, 0.006)
    heart = heart * np.clip((a.base + 0.01 - y) / soft, 0, 1)
    knob = _ellipse(x, y, a.cx + 0.045 + 0.7 * a.knob_r, 0.27, a.knob_r, a.knob_r * 1.1, 0.004)
    m = np.maximum(m, 0.5 * np.maximum(np.maximum(mediastinum, heart), knob))
    if 3 in a.findings:
        truth.append((3, _box(heart)))
    if 0 in a.findings:
        truth.append((0, _box(knob)))

    if 10 in a.findings:                                   # effusion: fluid with a meniscus
        p = a.findings[10]
        fluid_all = full.copy()
        for s, depth in zip(p["sides"], p["depth"]):
            lx, _ = _lung_centre(a, s)
            lateral = np.clip((x - lx) * (-1 if s == 0 else 1) / a.lung_w, -1, 1)
            level = _dome(a, lx, s) - depth - 0.06 * np.clip(lateral, 0, 1)   # meniscus
            fluid = lungs[s] * np.clip((y - level) / 0.015, 0, 1)
            fluid_all = np.maximum(fluid_all, fluid)
            truth.append((10, _box(fluid)))
        m = np.maximum(m, 0.44 * fluid_all * trunk)
    if 4 in a.findings:                                    # consolidation: fuzzy patch
        p = a.findings[4]
        local = np.random.default_rng(p["seed"])
        box = _box(lungs[p["side"]])
        cxp = (box[0] + p["u"][0] * (box[2] - box[0])) / W
        cyp = (box[1] + (0.3 + 0.5 * p["u"][1]) * (box[3] - box[1])) / H
        blob = full.copy()
        for _ in range(4):
            dx, dy = local.normal(0, 0.025, size=2)
            sx, sy = local.uniform(0.025, 0.045, size=2)
            blob = np.maximum(blob, np.exp(-((x - cxp - dx) / sx) ** 2 - ((y - cyp - dy) / sy) ** 2))
        patch = np.clip((blob - 0.3) / 0.4, 0, 1) * lungs[p["side"]]
        patch = patch * (0.8 + 0.2 * markings)
        m = m + 0.22 * patch
        truth.append((4, _box(patch, 0.3)))
    if 8 in a.findings:                                    # nodule or mass
        p = a.findings[8]
        box = _box(lungs[p["side"]])
        cxp = (box[0] + (0.25 + 0.5 * p["u"][0]) * (box[2] - box[0])) / W
        cyp = (box[1] + (0.15 + 0.55 * p["u"][1]) * (box[3] - box[1])) / H
        nodule = _ellipse(x, y, cxp, cyp, p["r"] * H / W, p["r"], 0.004)
        m = m + 0.24 * nodule
        truth.append((8, _box(nodule)))

    bone = _bones(a, x, y, H, W, lungs)
    m = m + bone * trunk
    m = ndimage.gaussian_filter(m, sigma=0.6 * min(H, W) / 256)
    m = m + 0.025 * _smooth_noise(rng, (H, W), 96)
    return m.astype(np.float32), [(c, b) for c, b in truth if b is not None]


def render(a: Anatomy, shape: tuple[int, int], rng: np.random.Generator, detail: float = 0.5
           ) -> tuple[np.ndarray, list[tuple[int, np.ndarray]]]:
    """:func:`draw` at ``detail`` times the resolution, upsampled to ``shape``, plus grain.

    The anatomy has no detail finer than two pixels of a phantom, so it is drawn at
    half resolution (4x faster) and interpolated; the quantum noise is per pixel.

    Returns
    -------
    m : numpy.ndarray, float32, (H, W), in [0, 1]
    truth : list of (class id, box (4,) in pixels of ``shape``)
    """
    H, W = shape
    h, w = max(int(round(H * detail)), 32), max(int(round(W * detail)), 32)
    small, truth = draw(a, (h, w), rng)
    i0, wi = _linear(H, h)
    j0, wj = _linear(W, w)
    rows = small[:, j0] * (1 - wj) + small[:, j0 + 1] * wj
    m = rows[i0] * (1 - wi)[:, None] + rows[i0 + 1] * wi[:, None]
    m = m + 0.0055 * H / 224 * rng.standard_normal((H, W), dtype=np.float32)   # same after resizing
    scale = np.array([W / w, H / h, W / w, H / h])
    return np.clip(m, 0, 1), [(c, np.round(b * scale)) for c, b in truth]


def _bones(a: Anatomy, x, y, H: int, W: int, lungs) -> np.ndarray:
    """Spine with vertebrae, posterior ribs and clavicles (added attenuation)."""
    spine = np.clip((0.028 - np.abs(x - a.cx)) / 0.006, 0, 1) * (y > 0.05)
    vertebrae = 0.75 + 0.25 * np.cos(2 * np.pi * (y / 0.05))
    bone = np.broadcast_to(0.2 * spine * vertebrae, (H, W)).astype(np.float32)
    thick = 0.011
    for side in (0, 1):
        sign = -1 if side == 0 else 1
        lateral = (x - a.cx) * sign                          # distance from the midline, outwards
        inside = np.clip((lateral - 0.03) / 0.01, 0, 1) * np.clip((0.33 - lateral) / 0.02, 0, 1)
        cols = slice(0, int(a.cx * W) + 1) if side == 0 else slice(int(a.cx * W), W)
        out = np.clip(lateral[:, cols] - 0.03, 0, 1)
        for i in range(9):                                 # each rib only in its band of rows
            y0 = 0.17 + a.rib_phase + 0.057 * i
            band = slice(max(int((y0 - 0.12) * H), 0), min(int((y0 + 0.16) * H) + 1, H))
            curve = y0 - 0.55 * out + 2.2 * out ** 2 * (1 + 0.08 * i) + 0.05 * (1 + 0.06 * i) * out ** 0.5
            rows = np.abs(y[band] - curve)
            rib = np.clip((thick - rows) / 0.004, 0, 1)
            edge = np.clip((thick - np.abs(rows - thick * 0.8)) / 0.004, 0, 1) * 0.5
            bone[band, cols] += 0.09 * np.maximum(rib, edge) * inside[:, cols]
        clav = np.abs(y - (0.17 - 0.2 * (lateral - 0.05) + 0.6 * (lateral - 0.05) ** 2))
        bone = bone + 0.16 * np.clip((0.012 - clav) / 0.004, 0, 1) * (lateral > 0.03) * (lateral < 0.27)
    return bone


def sample_phantom(seed: int, index: int) -> tuple[Anatomy, tuple[int, int], np.random.Generator]:
    """The anatomy, size and noise generator of phantom ``index`` of ``seed`` (deterministic)."""
    rng = np.random.default_rng([seed, index, 7])
    anatomy = sample_anatomy(rng)
    shape = (int(rng.integers(26, 33)) * 16, int(rng.integers(24, 31)) * 16)   # 416-512 x 384-480
    return anatomy, shape, rng
