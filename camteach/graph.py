"""Finding the parts of a Keras model that a CAM needs, and tapping them.

A CAM needs two things from a classifier: the last feature maps ``F`` and the
weights ``W`` of the dense layer (the "logistic regression") that reads the
globally average-pooled features. Grad-CAM needs any 4-D activation ``A`` and
the pre-activation class scores. This module finds those tensors in
Functional, Sequential and *nested* models (a pre-trained base used as one
layer of a new classifier) and builds a model that returns them, without ever
changing the caller's model.

Used by :mod:`camteach.maps` (lessons 04-11) and by the lessons that look
inside the network (01-03).
"""

from __future__ import annotations

from dataclasses import dataclass

import keras

# Layers that are the identity at inference time and may sit between the
# pooling and the dense layer (or after the dense layer, for activations).
_PASS_THROUGH = (keras.layers.Dropout, keras.layers.Flatten, keras.layers.Identity,
                 keras.layers.SpatialDropout2D, keras.layers.GaussianNoise,
                 keras.layers.GaussianDropout, keras.layers.AlphaDropout)
_ACTIVATIONS = (keras.layers.Activation, keras.layers.Softmax)


def check_model(model: object) -> keras.Model:
    """Return ``model`` if it is a built, single-input Keras model, else raise.

    Raises
    ------
    TypeError
        ``model`` is not a ``keras.Model``.
    ValueError
        The model is not built, or has several inputs or outputs.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"model: expected a keras.Model (for example ct.load_course_model()), "
            f"got {type(model).__name__}")
    try:
        inputs, outputs = model.inputs, model.outputs
    except (AttributeError, ValueError):
        inputs = outputs = None
    if not inputs or not outputs:
        raise ValueError(
            "model: expected a built model with a known input shape; give it a "
            "keras.Input(shape=...) or call it once on a batch before asking for a CAM")
    if len(inputs) != 1 or len(outputs) != 1:
        raise ValueError(f"model: expected one input and one output, got "
                         f"{len(inputs)} inputs and {len(outputs)} outputs")
    return model


def _graph(model: keras.Model):
    """The Functional graph behind ``model`` (a Sequential keeps one inside)."""
    functional = getattr(model, "_functional", None)
    return functional if isinstance(model, keras.Sequential) else model


def _producer(tensor):
    return tensor._keras_history.operation


def _only_input(layer):
    node = layer._inbound_nodes[0]
    if len(node.input_tensors) != 1:
        raise ValueError(f"layer {layer.name!r} has several inputs")
    return node.input_tensors[0]


def _is_model(op) -> bool:
    return isinstance(op, keras.Model)


def _output_of(op):
    return op._inbound_nodes[0].output_tensors[0]


@dataclass(frozen=True)
class Classifier:
    """Where the class scores come from.

    Attributes
    ----------
    dense : keras.layers.Dense or None
        The final dense layer (``W`` = ``dense.kernel``, shape (C, classes)),
        or None when the model's output is taken as the scores as it is.
    score_input : keras.layers.Layer
        The layer whose output feeds ``dense`` (or gives the scores).
    pool : keras.layers.GlobalAveragePooling2D or None
        The global average pooling in front of ``dense``, if there is one.
    features : keras.layers.Layer or None
        The layer whose 4-D output ``F`` is pooled (the CAM's feature maps).
    """

    dense: keras.layers.Dense | None
    score_input: keras.layers.Layer
    pool: keras.layers.GlobalAveragePooling2D | None
    features: keras.layers.Layer | None


def find_classifier(model: keras.Model) -> Classifier:
    """Walk back from the model's output to its dense head.

    Activation and Softmax layers after the dense layer are skipped (the
    scores are taken *before* them); a nested model that produces the output
    is entered. Between the dense layer and a GlobalAveragePooling2D, only
    inference-time identities (Dropout, Flatten, ...) are allowed.

    Parameters
    ----------
    model : keras.Model
        A built classifier.

    Returns
    -------
    Classifier
        ``pool`` and ``features`` are None when there is no GAP + Dense head.
    """
    op = _producer(check_model(model).outputs[0])
    while True:
        if _is_model(op):
            op = _producer(_graph(op).outputs[0])
        elif isinstance(op, _ACTIVATIONS):
            op = _producer(_only_input(op))
        else:
            break
    if not isinstance(op, keras.layers.Dense):
        return Classifier(None, op, None, None)
    dense, source = op, _producer(_only_input(op))
    pool = source
    while isinstance(pool, _PASS_THROUGH):
        pool = _producer(_only_input(pool))
    if isinstance(pool, keras.layers.GlobalAveragePooling2D) \
            and pool.data_format == "channels_last":
        return Classifier(dense, source, pool, _producer(_only_input(pool)))
    return Classifier(dense, source, None, None)


def _walk(model: keras.Model):
    """Every layer of ``model``, nested models' layers included, in order."""
    for layer in _graph(model).layers if _graph(model) is not None else model.layers:
        yield layer
        if _is_model(layer):
            yield from _walk(layer)


def find_layer(model: keras.Model, layer: str | keras.layers.Layer) -> keras.layers.Layer:
    """Find a layer by name (or check a layer object) anywhere in ``model``.

    Raises
    ------
    ValueError
        No such layer, or the name is used by several layers.
    """
    layers = list(_walk(model))
    if isinstance(layer, keras.layers.Layer):
        if any(layer is other for other in layers):
            return layer
        raise ValueError(f"layer: {layer.name!r} is not a layer of model {model.name!r}")
    if not isinstance(layer, str):
        raise TypeError(f"layer: expected a layer name (str) or a keras layer, got "
                        f"{type(layer).__name__}")
    found = [other for other in layers if other.name == layer]
    if not found:
        four_d = [other.name for other in layers if _rank(other) == 4][-5:]
        raise ValueError(f"layer: no layer named {layer!r} in model {model.name!r}; "
                         f"its last 4-D layers are {four_d}")
    if len(found) > 1:
        raise ValueError(f"layer: the name {layer!r} is used by {len(found)} layers; "
                         f"pass the layer object instead")
    return found[0]


def _rank(layer) -> int | None:
    try:
        return len(_output_of(layer).shape)
    except (AttributeError, IndexError, ValueError):
        return None


def last_conv_layer(model: keras.Model) -> keras.layers.Layer:
    """The last top-level layer of ``model`` whose output is 4-D (N, h, w, C).

    For a nested model this is the pre-trained base itself, whose output is
    its last feature map.
    """
    graph = _graph(model)
    for layer in reversed(graph.layers):
        if _rank(layer) == 4:
            return layer
    raise ValueError(f"model: {model.name!r} has no layer with a 4-D output "
                     f"(N, h, w, C); Grad-CAM needs convolutional feature maps")


def _contains(model, targets: dict) -> bool:
    return any(id(layer) in targets for layer in _walk(model))


def _rebuild(model, x, targets: dict, found: dict):
    """Re-run ``model``'s graph on ``x``, recording the targets' outputs."""
    graph = _graph(model)

    def operation_fn(op):
        def call(*args, **kwargs):
            if _is_model(op) and _contains(op, targets):
                out = _rebuild(op, args[0], targets, found)
            else:
                out = op(*args, **kwargs)
            if id(op) in targets:
                found[id(op)] = out
            return out
        return call

    return graph._run_through_graph(x, operation_fn=operation_fn)


def tap(model: keras.Model, layers: list[keras.layers.Layer]) -> keras.Model:
    """A model with the same input that returns the outputs of ``layers``.

    The layers are shared with ``model`` (same weights); ``model`` itself is
    not changed. Layers inside nested models are reached by re-running the
    outer graph.

    Parameters
    ----------
    model : keras.Model
        A built, single-input model.
    layers : list of keras.layers.Layer
        Layers of ``model`` (at any depth), as found by :func:`find_layer`.

    Returns
    -------
    keras.Model
        Outputs: one tensor per layer, in the order given.
    """
    graph = _graph(model)
    top = {id(layer) for layer in graph.layers}
    if all(id(layer) in top for layer in layers):
        return keras.Model(graph.inputs, [_output_of(layer) for layer in layers],
                           name=f"{model.name}_tap")
    targets = {id(layer): layer for layer in layers}
    found: dict = {}
    x = keras.Input(shape=graph.inputs[0].shape[1:], dtype=graph.inputs[0].dtype)
    _rebuild(model, x, targets, found)
    return keras.Model(x, [found[id(layer)] for layer in layers], name=f"{model.name}_tap")


def layer_shapes(model: keras.Model, names: list[str]) -> list[tuple[str, tuple]]:
    """Output shapes (without the batch axis) of named layers, in order.

    Used in lesson 01: the image shrinks while the number of features grows.

    Parameters
    ----------
    model : keras.Model
    names : list of str
        Layer names (at any depth), e.g. a network's stage outputs.

    Returns
    -------
    list of (name, shape)
    """
    return [(name, tuple(_output_of(find_layer(model, name)).shape[1:])) for name in names]
