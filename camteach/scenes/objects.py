"""The four objects, drawn from named parts in their own local units.

A blueprint turns a seeded random generator into a list of primitives
``(part, rgb, kind, data)``, painted in list order: kind ``"poly"`` with data
an (m, 2) array of local (x, y) points (y down), or ``"ellipse"`` with data
``(cx, cy, rx, ry, rot)`` (rot in radians, in the local frame). The parts
echo the lecture ("one feature for the nose, one for the eyes"; "the wheel
feature")::

    face   : eye, nose, mouth (+ head: the skin oval with its ears and hair)
    car    : body (with its cabin and lights), wheel, window
    house  : wall, roof (with its chimney), door, window
    flower : petal, centre, stem (+ leaf)

Looks vary (colours, proportions, hair, facing left or right) while every
class shares colour families with the others, so colour alone does not
give the class away.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from . import palette as pal
from .shapes import rect

#: One primitive: (part name, RGB colour, "poly" or "ellipse", geometry).
Primitive = tuple


def _face(rng: np.random.Generator) -> list[Primitive]:
    """A face: ears, skin oval, maybe hair; two eyes, a nose, a mouth."""
    skin = pal.skin(rng)
    rx, ry = rng.uniform(0.33, 0.39), rng.uniform(0.44, 0.5)
    prims = _head(rng, skin, rx, ry)
    eyes, yeye = _eyes(rng)
    return prims + eyes + [_nose(rng, skin, yeye), _mouth(rng, skin)]


def _head(rng: np.random.Generator, skin: pal.RGB, rx: float, ry: float) -> list[Primitive]:
    """Two ears, the skin oval of radii (rx, ry), and (7 times in 10) hair."""
    ear = pal.scaled(skin, rng.uniform(0.85, 0.95))
    ey = rng.uniform(-0.05, 0.05)
    prims = [("head", ear, "ellipse", (sx * (rx - 0.01), ey, 0.065, 0.1, 0.0)) for sx in (-1, 1)]
    prims.append(("head", skin, "ellipse", (0.0, 0.0, rx, ry, 0.0)))
    if rng.random() < 0.7:
        prims.append(_hair(rng, rx, ry))
    return prims


def _hair(rng: np.random.Generator, rx: float, ry: float) -> Primitive:
    """A cap of hair over the top of the head, with a slanted fringe."""
    hair = [pal.grey(rng, 15, 50), pal.hsv(rng, (0.05, 0.1), (0.5, 0.8), (0.2, 0.45)),
            pal.hsv(rng, (0.1, 0.14), (0.4, 0.7), (0.7, 0.95)), pal.grey(rng, 150, 210),
            pal.hsv(rng, (0.02, 0.06), (0.6, 0.9), (0.45, 0.7))][rng.integers(5)]
    t = np.linspace(np.pi, 2 * np.pi, 25)
    top = np.stack([1.04 * rx * np.cos(t), 1.05 * ry * np.sin(t)], 1)
    low = rng.uniform(0.3, 0.55) * ry
    fringe = np.array([(1.04 * rx, -0.15 * ry), (0.5 * rx, -low), (-0.4 * rx, -low + 0.03),
                       (-1.04 * rx, -0.1 * ry)])
    return ("head", hair, "poly", np.concatenate([top, fringe]))


def _eyes(rng: np.random.Generator) -> tuple[list[Primitive], float]:
    """Two eyes (white, iris, pupil), looking the same way, and their height."""
    yeye, dx = rng.uniform(-0.12, -0.05), rng.uniform(0.12, 0.16)
    erx, ery = rng.uniform(0.065, 0.085), rng.uniform(0.04, 0.055)
    white = pal.grey(rng, 225, 250)
    iris = [pal.hsv(rng, (0.05, 0.1), (0.5, 0.9), (0.2, 0.45)),
            pal.hsv(rng, (0.55, 0.62), (0.4, 0.8), (0.4, 0.7)),
            pal.hsv(rng, (0.25, 0.4), (0.4, 0.7), (0.3, 0.55)), pal.grey(rng, 10, 40)][rng.integers(4)]
    look = rng.uniform(-0.3, 0.3) * erx
    prims = []
    for sx in (-1, 1):
        prims.append(("eye", white, "ellipse", (sx * dx, yeye, erx, ery, 0.0)))
        prims.append(("eye", iris, "ellipse", (sx * dx + look, yeye, 0.7 * ery, 0.85 * ery, 0.0)))
        prims.append(("eye", (15, 15, 20), "ellipse",
                      (sx * dx + look, yeye, 0.33 * ery, 0.4 * ery, 0.0)))
    return prims, yeye


def _nose(rng: np.random.Generator, skin: pal.RGB, yeye: float) -> Primitive:
    """A darker kite from between the eyes down."""
    nw, nb = rng.uniform(0.04, 0.06), rng.uniform(0.09, 0.13)
    return ("nose", pal.scaled(skin, rng.uniform(0.68, 0.8)), "poly",
            np.array([(0.0, yeye + 0.03), (nw, nb), (0.0, nb + 0.015), (-nw, nb)]))


def _mouth(rng: np.random.Generator, skin: pal.RGB) -> Primitive:
    """Lips: two parabolic arcs."""
    ym, mw = rng.uniform(0.21, 0.27), rng.uniform(0.1, 0.15)
    upper, lower = rng.uniform(0.0, 0.025), rng.uniform(0.04, 0.075)
    x = np.linspace(-mw, mw, 15)
    bow = 1 - (x / mw) ** 2
    lips = [pal.hsv(rng, (0.95, 1.02), (0.5, 0.85), (0.45, 0.8)), pal.scaled(skin, 0.55),
            pal.hsv(rng, (0.93, 0.98), (0.3, 0.6), (0.6, 0.9))][rng.integers(3)]
    return ("mouth", lips, "poly", np.concatenate([
        np.stack([x, ym + upper * bow], 1), np.stack([x[::-1], ym + lower * bow[::-1]], 1)]))


def _car(rng: np.random.Generator) -> list[Primitive]:
    """A car seen from the side: cabin and body, two windows, lights, two wheels."""
    k = rng.random()
    if k < 0.25:
        body = pal.skin(rng)
    elif k < 0.4:
        body = pal.grey(rng, 30, 230)
    else:
        body = pal.hsv(rng, s=(0.45, 1.0), v=(0.35, 1.0))
    glass = pal.hsv(rng, (0.5, 0.62), (0.1, 0.4), (0.55, 0.9))
    tyre, hub = pal.grey(rng, 15, 55), pal.grey(rng, 150, 225)
    top, bottom = -rng.uniform(0.06, 0.09), rng.uniform(0.11, 0.14)
    prims = _car_body(rng, body, glass, top, bottom)
    prims.append(("body", pal.hsv(rng, (0.12, 0.17), (0.2, 0.7), (0.9, 1.0)), "ellipse",
                  (0.475, top + 0.05, 0.022, 0.02, 0.0)))
    prims.append(("body", pal.hsv(rng, (0.97, 1.01), (0.7, 1.0), (0.6, 0.9)), "ellipse",
                  (-0.485, top + 0.05, 0.014, 0.022, 0.0)))
    r = rng.uniform(0.095, 0.115)
    for wx in (-0.3 + rng.uniform(-0.03, 0.03), 0.3 + rng.uniform(-0.03, 0.03)):
        prims.append(("wheel", tyre, "ellipse", (wx, bottom, r, r, 0.0)))
        prims.append(("wheel", hub, "ellipse", (wx, bottom, 0.45 * r, 0.45 * r, 0.0)))
    if rng.random() < 0.5:       # facing left
        prims = [(p, c, kind, _mirror(kind, d)) for p, c, kind, d in prims]
    return prims


def _car_body(rng: np.random.Generator, body: pal.RGB, glass: pal.RGB, top: float,
              bottom: float) -> list[Primitive]:
    """The cabin and the body between ``top`` and ``bottom``, then two windows."""
    cb0, cb1 = rng.uniform(-0.36, -0.26), rng.uniform(0.16, 0.26)
    ch = rng.uniform(0.17, 0.22)
    ct0, ct1 = cb0 + rng.uniform(0.06, 0.12), cb1 - rng.uniform(0.1, 0.16)
    prims = [("body", body, "poly", np.array([(cb0, top + 0.01), (ct0, top - ch),
                                              (ct1, top - ch), (cb1, top + 0.01)])),
             ("body", body, "poly", np.array([
                 (-0.5, top + 0.04), (-0.47, top), (0.43, top), (0.5, top + 0.06),
                 (0.5, bottom - 0.02), (0.48, bottom), (-0.48, bottom), (-0.5, bottom - 0.02)]))]
    inset = 0.028
    mid = 0.5 * (ct0 + ct1) + rng.uniform(-0.03, 0.03)
    yb, yt = top - 0.01, top - ch + inset
    lean0 = (ct0 - cb0) * (yb - yt) / ch
    lean1 = (cb1 - ct1) * (yb - yt) / ch
    prims.append(("window", glass, "poly", np.array([
        (cb0 + inset + lean0 + 0.01, yb), (ct0 + inset, yt), (mid - 0.015, yt),
        (mid - 0.015, yb)])))
    prims.append(("window", glass, "poly", np.array([
        (mid + 0.015, yb), (mid + 0.015, yt), (ct1 - inset, yt), (cb1 - inset - lean1, yb)])))
    return prims


def _mirror(kind, data):
    """A primitive's geometry mirrored left-right."""
    if kind == "poly":
        return data * np.array([-1.0, 1.0])
    cx, cy, rx, ry, rot = data
    return (-cx, cy, rx, ry, -rot)


def _house(rng: np.random.Generator) -> list[Primitive]:
    """A house: maybe a chimney, wall, roof, door with knob, two framed windows."""
    wall, roof, door, glass, frame = _house_colours(rng)
    wh, top, bottom = rng.uniform(0.3, 0.37), rng.uniform(-0.08, -0.02), rng.uniform(0.4, 0.46)
    rh, over = rng.uniform(0.26, 0.36), rng.uniform(0.03, 0.07)
    prims = []
    if rng.random() < 0.6:       # chimney behind the roof
        cx = rng.choice([-1, 1]) * rng.uniform(0.35, 0.6) * wh
        cw = rng.uniform(0.05, 0.07)
        prims.append(("roof", pal.scaled(roof, 0.8), "poly",
                      rect(cx - cw, top - rh * 0.95, cx + cw, top - 0.02)))
    prims.append(("wall", wall, "poly", rect(-wh, top, wh, bottom)))
    prims.append(("roof", roof, "poly", np.array([(-wh - over, top + 0.01), (wh + over, top + 0.01),
                                                  (0.0, top - rh)])))
    prims += _door(rng, door, wh, bottom)
    return prims + _house_windows(rng, frame, glass, wh, top)


def _house_colours(rng: np.random.Generator) -> tuple[pal.RGB, ...]:
    """Colours of the wall, roof, door, window glass and window frames."""
    k = rng.random()
    if k < 0.4:
        wall = pal.skin(rng)
    elif k < 0.55:
        wall = pal.grey(rng, 160, 245)
    elif k < 0.75:
        wall = pal.hsv(rng, (0.0, 0.05), (0.5, 0.8), (0.45, 0.75))      # brick
    else:
        wall = pal.hsv(rng, s=(0.15, 0.5), v=(0.6, 0.95))
    roof = [pal.hsv(rng, (0.97, 1.03), (0.55, 0.85), (0.35, 0.65)), pal.grey(rng, 40, 110),
            pal.hsv(rng, (0.05, 0.1), (0.4, 0.8), (0.25, 0.5)),
            pal.hsv(rng, (0.55, 0.65), (0.2, 0.5), (0.3, 0.55))][rng.integers(4)]
    door = [pal.hsv(rng, (0.05, 0.1), (0.4, 0.8), (0.2, 0.5)), pal.hsv(rng)][int(rng.random() < 0.4)]
    glass = pal.hsv(rng, (0.5, 0.62), (0.1, 0.45), (0.6, 0.95)) if rng.random() < 0.75 else \
        pal.hsv(rng, (0.12, 0.16), (0.3, 0.7), (0.85, 1.0))
    frame = pal.grey(rng, 225, 250) if rng.random() < 0.6 else pal.grey(rng, 30, 80)
    return wall, roof, door, glass, frame


def _door(rng: np.random.Generator, door: pal.RGB, wh: float, bottom: float) -> list[Primitive]:
    """A door standing on ``bottom``, with a knob that contrasts with it."""
    dw, dh = rng.uniform(0.06, 0.08), rng.uniform(0.2, 0.25)
    dx = rng.uniform(-0.35, 0.35) * wh
    knob = pal.grey(rng, 180, 230) if sum(door) < 400 else pal.grey(rng, 20, 60)
    return [("door", door, "poly", rect(dx - dw, bottom - dh, dx + dw, bottom)),
            ("door", knob, "ellipse", (dx + 0.6 * dw, bottom - 0.45 * dh, 0.012, 0.012, 0.0))]


def _house_windows(rng: np.random.Generator, frame: pal.RGB, glass: pal.RGB, wh: float,
                   top: float) -> list[Primitive]:
    """Two square windows, each a frame, its glass and a cross of bars."""
    ws = rng.uniform(0.065, 0.085)
    wy = top + rng.uniform(0.1, 0.14)
    fb = 0.012
    prims = []
    for wx in (-0.55 * wh, 0.55 * wh):
        prims.append(("window", frame, "poly",
                      rect(wx - ws - fb, wy - ws - fb, wx + ws + fb, wy + ws + fb)))
        prims.append(("window", glass, "poly", rect(wx - ws, wy - ws, wx + ws, wy + ws)))
        prims.append(("window", frame, "poly", rect(wx - 0.006, wy - ws, wx + 0.006, wy + ws)))
        prims.append(("window", frame, "poly", rect(wx - ws, wy - 0.006, wx + ws, wy + 0.006)))
    return prims


_HEAD_Y = -0.22    # the flower head's centre; the stem reaches down to y = 0.4


def _flower(rng: np.random.Generator) -> list[Primitive]:
    """A flower: bent stem, a leaf, 6-9 petals around a centre."""
    k = rng.random()
    if k < 0.25:
        petal = pal.skin(rng)
    else:
        petal = pal.hsv(rng, s=(0.35, 1.0), v=(0.6, 1.0))
    centre = [pal.hsv(rng, (0.11, 0.16), (0.7, 1.0), (0.8, 1.0)),
              pal.hsv(rng, (0.05, 0.1), (0.6, 0.9), (0.2, 0.5)),
              pal.grey(rng, 20, 60)][rng.integers(3)]
    green = pal.hsv(rng, (0.22, 0.4), (0.45, 0.9), (0.3, 0.7))
    prims = _stem_and_leaf(rng, green) + _petals(rng, petal)
    r = rng.uniform(0.07, 0.09)
    prims.append(("centre", centre, "ellipse", (0.0, _HEAD_Y, r, r, 0.0)))
    return prims


def _stem_and_leaf(rng: np.random.Generator, green: pal.RGB) -> list[Primitive]:
    """A slightly bent band from the head down, and a leaf on one side of it."""
    cy = _HEAD_Y
    bend = rng.uniform(-0.06, 0.06)
    t = np.linspace(0, 1, 9)
    x = bend * 4 * t * (1 - t)
    y = cy + t * (0.4 - cy)
    hw = rng.uniform(0.02, 0.03)
    stem = ("stem", green, "poly", np.concatenate([np.stack([x - hw, y], 1),
                                                   np.stack([x[::-1] + hw, y[::-1]], 1)]))
    side = rng.choice([-1, 1])
    ly = rng.uniform(0.08, 0.24)
    lt = (ly - cy) / (0.4 - cy)
    lx = bend * 4 * lt * (1 - lt)
    lrx, lry = rng.uniform(0.09, 0.12), rng.uniform(0.03, 0.045)
    la = np.radians(rng.uniform(20, 45))
    leaf = ("leaf", pal.scaled(green, rng.uniform(0.85, 1.15)), "ellipse",
            (lx + side * lrx * math.cos(la), ly - lrx * math.sin(la), lrx, lry, -side * la))
    return [stem, leaf]


def _petals(rng: np.random.Generator, petal: pal.RGB) -> list[Primitive]:
    """6-9 oval petals in a ring around the head's centre."""
    n = int(rng.integers(6, 10))
    pr, prx = rng.uniform(0.12, 0.16), rng.uniform(0.09, 0.12)
    pry = rng.uniform(0.055, 0.08) * (1.15 if n <= 7 else 1.0)
    phase = rng.uniform(0, 2 * np.pi)
    prims = []
    for i in range(n):
        a = phase + 2 * np.pi * i / n
        prims.append(("petal", petal, "ellipse",
                      (pr * math.cos(a), _HEAD_Y + pr * math.sin(a), prx, pry, a)))
    return prims


#: Blueprint of each class, in label order (``BLUEPRINTS[k]`` draws ``CLASS_NAMES[k]``).
BLUEPRINTS: tuple[Callable[[np.random.Generator], list[Primitive]], ...] = (
    _face, _car, _house, _flower)
