"""Exercises on a real pre-trained network: ResNet50's head, its CAM and its preprocessing.

The exercises work on a photo the lesson did not use (``photo``, the
astronaut, raw RGB (224, 224, 3)), ResNet50's feature maps of it (``F``,
(7, 7, 2048)), the network's 2048 x 1000 head (``W``, ``b``), one ImageNet
class ``c`` and a random head of the same shape (``W_random``, ``b_random``)::

    q1, q2, q3, q4, q5 = lesson07.bind(F=F, W=W, b=b, c=c, photo=photo,
                                       W_random=W_random, b_random=b_random)

Every answer holds for any weights (ImageNet or ``weights=None``), so the
exercises work offline too. ``help(lesson07.bind)`` shows what to bind.
"""

from __future__ import annotations

import numpy as np
from scipy.special import softmax

from camteach import checks
from camteach.imagenet import imagenet_class_names

from .checking import Choice, Exercise, Numbers, Sheet
from .distinct import distinct

#: ``resnet50.preprocess_input``'s ImageNet mean pixel, in BGR order (the "caffe" mode).
MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype=np.float32)

#: q4's options, and q5's: the Keras 3 layers of ResNet50's end.
YES_NO = ("yes", "no")
LAYERS = ("conv5_block3_out", "avg_pool", "predictions", "none")


def bind(F, W, b, c: int, photo, W_random, b_random
         ) -> tuple[Exercise, Exercise, Exercise, Exercise, Exercise]:
    """Bind the exercises to ResNet50's view of a new photo.

    Parameters
    ----------
    F : array-like, (h, w, C)
        The last feature maps of the photo (``conv5_block3_out``, (7, 7, 2048)).
    W : array-like, (C, K)
        The dense head's weights (2048 x 1000).
    b : array-like, (K,)
        Its bias.
    c : int
        The class the exercises explain (e.g. 812, "space shuttle").
    photo : array-like, (H, W, 3)
        The raw RGB photo, 0..255 (uint8).
    W_random : array-like, (C, K)
        A random head of the same shape (q4).
    b_random : array-like, (K,)
        Its bias.

    Returns
    -------
    q1, q2, q3, q4, q5 : Exercise
        q1 ``cam``: the (h, w) CAM of class ``c``. q2 ``logit``: its logit from
        the CAM and the bias. q3 ``x``: the photo as ResNet50 reads it,
        preprocessed by hand (BGR, mean pixel subtracted). q4 ``holds``:
        predict, then check: does ``mean(CAM) + b = logit`` hold for the random
        head ("yes" or "no")? q5 ``layer``: which Keras 3 layer does the job of
        the lecture's ``flatten_1``?
    """
    F = checks.numeric_array(F, "F", (None, None, None))
    W = checks.numeric_array(W, "W", (F.shape[-1], None))
    b = checks.numeric_array(b, "b", (W.shape[1],))
    c = checks.class_index(c, W.shape[1], "c")
    photo = checks.numeric_array(photo, "photo", (None, None, 3))
    W_random = checks.numeric_array(W_random, "W_random", W.shape)
    b_random = checks.numeric_array(b_random, "b_random", b.shape)
    sheet = Sheet(F=F, W=W, b=b, c=c, photo=photo, W_random=W_random, b_random=b_random)
    names = imagenet_class_names() if W.shape[1] == 1000 else None
    label = f"{c} ('{names[c]}')" if names else f"{c}"
    _ask_cam(sheet, F, W, b, c, label)
    _ask_logit(sheet, F, W, b, c, label)
    _ask_preprocess(sheet, photo)
    _ask_random_head(sheet, F, W_random, b_random)
    _ask_layer(sheet)
    return tuple(sheet.exercises)


def _ask_cam(sheet: Sheet, F: np.ndarray, W: np.ndarray, b: np.ndarray, c: int,
             label: str) -> None:
    """q1 ``cam``: ``F[..., 0]*w[0] + ... + F[..., C-1]*w[C-1]`` with ``w = W[:, c]``."""
    kind = Numbers(rtol=1e-4, scale=float(np.abs(F).max() * np.abs(W[:, c]).sum()) or 1.0)

    def cam() -> np.ndarray:
        return F @ W[:, c]

    sheet.add(
        question=f"The class activation map of class {label} for the photo: with "
                 f"w = W[:, c], the (7, 7) map F[..., 0]*w[0] + ... + F[..., 2047]*w[2047].",
        var="cam",
        code="cam = F @ W[:, c]",
        answer=cam, kind=kind,
        why=lambda: (f"a {cam().shape[0]}x{cam().shape[1]} map, values from "
                     f"{cam().min():+.2f} to {cam().max():+.2f}: the lecture's sum over 2048 "
                     f"feature maps, on the real head."),
        hints=("w = W[:, c] has one weight per feature map (2048 of them); weight each map "
               "F[..., k] by w[k] and add them up.",
               "A matrix product over the last axis does the whole sum: F @ W[:, c]."),
        mistakes=distinct([
            (lambda: cam() + b[c], "you added the bias: the CAM is the weighted sum of the "
                                   "feature maps only (the bias comes in with the logit, q2)."),
            (lambda: np.maximum(cam(), 0), "you applied a ReLU: the CAM stays signed here "
                                           "(negative cells are evidence against the class)."),
            (lambda: F.sum(axis=-1), "you added the feature maps without their weights "
                                     "w = W[:, c]."),
            (lambda: F @ W[:, c - 1], "that is the CAM of class c - 1: use column c."),
        ], cam, kind))


def _ask_logit(sheet: Sheet, F: np.ndarray, W: np.ndarray, b: np.ndarray, c: int,
               label: str) -> None:
    """q2 ``logit``: ``mean(cam) + b[c]``."""
    kind = Numbers(rtol=1e-4, scale=float(np.abs(F).mean(axis=(0, 1)) @ np.abs(W[:, c])
                                          + abs(b[c])) or 1.0)

    def cam() -> np.ndarray:
        return F @ W[:, c]

    def logit() -> float:
        return float(cam().mean() + b[c])

    def probability() -> float:
        return float(softmax(F.mean(axis=(0, 1)) @ W + b)[c])

    sheet.add(
        question=f"The logit of class {label} (the score before the softmax), from your "
                 f"CAM `cam` and the bias b.",
        var="logit",
        code="logit = cam.mean() + b[c]",
        answer=logit, kind=kind,
        why=lambda: (f"logit {logit():+.3f}: mean(CAM) + b = logit, because averaging the "
                     f"weighted maps is the same as weighting the averaged (pooled) features."),
        hints=("The global average pooling takes the mean of each map; the head then "
               "weights and adds them and adds the bias.",
               "Average the CAM over its 7x7 cells and add b[c]."),
        mistakes=distinct([
            (lambda: cam().mean(), "you forgot the bias b[c]."),
            (lambda: cam().sum() + b[c], "you summed the CAM's cells: the pooling averages "
                                         "them (.mean())."),
            (lambda: cam().max() + b[c], "you took the CAM's peak: the pooling averages all "
                                         "its cells (.mean())."),
            (lambda: probability(), "that is the softmax probability: the logit is the score "
                                    "before the softmax."),
        ], logit, kind))


def _ask_preprocess(sheet: Sheet, photo: np.ndarray) -> None:
    """q3 ``x``: ``resnet50.preprocess_input`` by hand."""
    kind = Numbers(rtol=1e-5, scale=255.0)
    raw = photo.astype(np.float32)

    def x() -> np.ndarray:
        return raw[..., ::-1] - MEAN_BGR

    sheet.add(
        question="The photo as ResNet50 reads it, computed by hand (without preprocess_input): "
                 "the channels in BGR order and the ImageNet mean pixel (103.939, 116.779, "
                 "123.68 for B, G, R) subtracted, as float numbers.",
        var="x",
        code="x = photo[..., ::-1].astype(np.float32) - np.array([103.939, 116.779, 123.68])",
        answer=x, kind=kind,
        why=lambda: (f"values from {x().min():.1f} to {x().max():.1f}, blue first: what "
                     f"keras.applications.resnet50.preprocess_input gives, and what ResNet50 "
                     f"was trained on."),
        hints=("Two steps: reverse the order of the last axis (RGB -> BGR), then subtract "
               "the mean pixel, given in BGR order.",
               "photo[..., ::-1] reverses the channels; convert to float before "
               "subtracting np.array([103.939, 116.779, 123.68])."),
        mistakes=distinct([
            (lambda: raw - MEAN_BGR, "you subtracted the mean but kept RGB order: reverse "
                                     "the channels first (photo[..., ::-1])."),
            (lambda: raw[..., ::-1] - MEAN_BGR[::-1], "the mean pixel is given in BGR order "
                                                      "(B 103.939, G 116.779, R 123.68): "
                                                      "subtract it as it is, after the flip."),
            (lambda: raw[..., ::-1], "you flipped the channels but did not subtract the mean "
                                     "pixel."),
            (lambda: raw, "that is the raw photo: the preprocessing trap of the lesson."),
            (lambda: raw / 255.0, "scaling to [0, 1] is another convention: ResNet50 "
                                  "(\"caffe\" mode) flips to BGR and subtracts the mean."),
            (lambda: raw / 127.5 - 1.0, "that is InceptionV3's convention (\"tf\" mode, "
                                        "[-1, 1]); ResNet50 flips to BGR and subtracts the "
                                        "mean pixel."),
        ], x, kind))


def _ask_random_head(sheet: Sheet, F: np.ndarray, W_random: np.ndarray,
                     b_random: np.ndarray) -> None:
    """q4 ``holds``: predict, then check the identity on a random head."""
    def gap(all_classes: np.ndarray) -> float:
        return float(np.abs(all_classes).max())

    def difference() -> float:
        cams = F @ W_random                                       # (h, w, K)
        return gap(cams.mean(axis=(0, 1)) + b_random - (F.mean(axis=(0, 1)) @ W_random
                                                         + b_random))

    def scale() -> float:
        return float(np.abs(F.mean(axis=(0, 1))) @ np.abs(W_random).max(axis=1)) + 1.0

    def answer() -> str:
        return "yes" if difference() <= 1e-4 * scale() else "no"

    sheet.add(
        question="Predict, then check: W_random and b_random are a head of random numbers "
                 "(nothing learned). Does mean(CAM) + b = logit hold for it, for every one of "
                 "its 1000 classes ('yes' or 'no')? Write your prediction down, then compute "
                 "both sides with F.",
        var="holds",
        code="cams = F @ W_random                                  # (7, 7, 1000)\n"
             "logits = F.mean(axis=(0, 1)) @ W_random + b_random   # pooled @ W + b\n"
             "close = np.allclose(cams.mean(axis=(0, 1)) + b_random, logits, atol=1e-3)\n"
             'holds = "yes" if close else "no"',
        answer=answer, kind=Choice(YES_NO),
        why=lambda: (f"it holds to {difference():.1e} for random weights too: it is algebra "
                     f"(a mean of weighted sums is a weighted sum of means), not something "
                     f"the network learned. That is why the course checks it offline with "
                     f"weights=None."),
        hints=("The left side: the CAMs of all classes at once, F @ W_random (7, 7, 1000), "
               "averaged over the 7x7 cells, plus b_random. The right side: the pooled "
               "features F.mean(axis=(0, 1)) through the head.",
               "np.allclose(left, right, atol=1e-3) says whether they agree."),
        mistakes=[(lambda o=o: o, "not what the numbers say: compare "
                                  "(F @ W_random).mean(axis=(0, 1)) + b_random with "
                                  "F.mean(axis=(0, 1)) @ W_random + b_random.")
                  for o in YES_NO if o != answer()])


def _ask_layer(sheet: Sheet) -> None:
    """q5 ``layer``: the lecture's flatten_1 in Keras 3."""
    messages = {
        "conv5_block3_out": "conv5_block3_out is the lecture's activation_49: the 2048 "
                            "feature maps of 7x7, before any pooling.",
        "predictions": "predictions is the lecture's fc1000: the 2048 x 1000 dense layer "
                       "after the flat vector.",
        "none": "some layer must hand the dense layer a flat (N, 2048) vector: look at the "
                "output shapes of the layers after conv5_block3_out.",
    }
    sheet.add(
        question="The lecture's ResNet50 (Keras 2) pooled to (1, 1, 2048) with avg_pool, then "
                 "flattened to (2048,) with flatten_1. Keras 3's ResNet50 has no Flatten "
                 "layer: which of its layers ('conv5_block3_out', 'avg_pool', 'predictions' "
                 "or 'none') hands the dense layer its flat (N, 2048) vector?",
        var="layer",
        code='layer = "avg_pool"   # GlobalAveragePooling2D: (N, 7, 7, 2048) -> (N, 2048)',
        answer=lambda: "avg_pool", kind=Choice(LAYERS),
        why="in Keras 3, avg_pool is a GlobalAveragePooling2D: it averages each 7x7 map to "
            "one number and returns (N, 2048) directly, so it does the lecture's avg_pool "
            "and flatten_1 in one layer.",
        hints=("Print each layer's output shape: ct.layer_shapes(model, [...]).",
               "Which layer's output shape is (2048,)?"),
        mistakes=[(lambda o=o: o, messages[o]) for o in LAYERS if o != "avg_pool"])
