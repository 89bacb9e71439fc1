"""Finding the parts of a Keras model that a heat map needs, and tapping them.

A CAM needs the last feature maps ``F`` and the weights ``W`` of the dense
layer (the "logistic regression") that reads the globally average-pooled
features; Grad-CAM and its family need any 4-D activation ``A`` and the
pre-activation class scores. This module finds them in Functional and
Sequential models, *nested* ones included: a pre-trained base used as one
layer (with or without ``pooling="avg"`` inside it), a whole classifier used
as one layer, or a head that is a model of its own.

A place in such a model is a :class:`Site`: a layer plus the nested models
entered to reach it. :class:`Tap` re-runs the model's graph on real tensors
and records the sites' outputs on the way, so the caller's model is never
changed (no new graph nodes, no new layers).
"""

from __future__ import annotations

from dataclasses import dataclass

import keras

# Identities at inference time that may sit between the pooling and the dense
# layer; activations after the dense layer are skipped (scores are logits).
_PASS_THROUGH = (keras.layers.Dropout, keras.layers.Flatten, keras.layers.Identity,
                 keras.layers.SpatialDropout2D, keras.layers.GaussianNoise,
                 keras.layers.GaussianDropout, keras.layers.AlphaDropout)
_ACTIVATIONS = (keras.layers.Activation, keras.layers.Softmax)


def _graph(model: keras.Model):
    """The Functional graph behind ``model`` (a Sequential keeps one inside), or None."""
    if isinstance(model, keras.Sequential):
        return getattr(model, "_functional", None)
    return model if hasattr(model, "_run_through_graph") else None


def check_model(model: object) -> keras.Model:
    """Return ``model`` if it is a built, single-input Functional or Sequential model.

    Raises
    ------
    TypeError
        ``model`` is not a ``keras.Model``.
    ValueError
        A subclassed model (its graph is hidden in ``call``), a model that is
        not built, or one with several inputs or outputs.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a keras.Model (for example ct.load_course_model()), "
                        f"got {type(model).__name__}")
    if not isinstance(model, keras.Sequential) and _graph(model) is None:
        raise ValueError(
            f"model: expected a Functional or Sequential model, got the subclassed "
            f"{type(model).__name__} {model.name!r}, whose layers are hidden inside call(); "
            f"rebuild it with the functional API: x = keras.Input(shape); "
            f"model = keras.Model(x, your_layers(x))")
    if _graph(model) is None or not model.inputs:
        raise ValueError(f"model: expected a built model with a known input shape, got the "
                         f"unbuilt {model.name!r}; start it with keras.Input(shape=...)")
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ValueError(f"model: expected one input and one output, got "
                         f"{len(model.inputs)} inputs and {len(model.outputs)} outputs")
    if len(model.outputs[0].shape) != 2:
        raise ValueError(f"model: expected class scores of shape (N, classes), got an output "
                         f"of shape {tuple(model.outputs[0].shape)}")
    return model


@dataclass(frozen=True, eq=False)
class Site:
    """A layer at one place of a (possibly nested) model.

    Attributes
    ----------
    layer : keras.Operation
        The layer (or the input layer) computing ``tensor``.
    node : keras node
        The call of ``layer`` that computes ``tensor``.
    tensor : KerasTensor
        Its symbolic output; ``tensor.shape`` is (None, h, w, C) for feature maps.
    path : tuple of (keras.Model, node)
        The nested models entered from the top to reach ``layer``, outermost first.
    """

    layer: object
    node: object
    tensor: object
    path: tuple = ()

    @property
    def name(self) -> str:
        return self.layer.name

    @property
    def shape(self) -> tuple:
        return tuple(self.tensor.shape)

    @property
    def key(self) -> tuple[int, ...]:
        """Identifies the site when the graph is re-run (see :class:`Tap`)."""
        return tuple(id(model) for model, _ in self.path) + (id(self.layer),)

    @property
    def is_input(self) -> bool:
        return isinstance(self.layer, keras.layers.InputLayer)

    def inputs(self) -> list[Site]:
        """The sites that feed this one."""
        return [source(tensor, self.path) for tensor in self.node.input_tensors]

    def only_input(self) -> Site:
        feeding = self.inputs()
        if len(feeding) != 1:
            raise ValueError(f"model: layer {self.name!r} has {len(feeding)} inputs; "
                             f"pass layer=... to say which feature maps to explain")
        return feeding[0]


def source(tensor, path: tuple = ()) -> Site:
    """The site computing ``tensor``, entering nested models and leaving them by their inputs."""
    while True:
        op, node_index, tensor_index = tensor._keras_history
        if isinstance(op, keras.layers.InputLayer) and path:
            model, node = path[-1]
            position = [id(t) for t in _graph(model).inputs].index(id(tensor))
            tensor, path = node.input_tensors[position], path[:-1]
        elif isinstance(op, keras.Model):
            node = op._inbound_nodes[node_index]
            tensor, path = _graph(op).outputs[tensor_index], path + ((op, node),)
        else:
            return Site(op, op._inbound_nodes[node_index], tensor, path)


@dataclass(frozen=True)
class Classifier:
    """Where the class scores come from.

    Attributes
    ----------
    dense : keras.layers.Dense or None
        The final dense layer (``W`` = ``dense.kernel``, shape (C, classes)),
        or None when the model's output is taken as the scores as it is.
    score_input : Site
        Feeds ``dense`` (or gives the scores when ``dense`` is None).
    pool : Site or None
        The GlobalAveragePooling2D in front of ``dense``, if there is one.
    features : Site or None
        The 4-D feature maps ``F`` that ``pool`` averages (the CAM's ``F``).
    activation : str
        What turns the scores into the model's output: "softmax", "sigmoid",
        "linear" (none), or another Keras activation's name.
    """

    dense: keras.layers.Dense | None
    score_input: Site
    pool: Site | None
    features: Site | None
    activation: str = "linear"


def find_classifier(model: keras.Model) -> Classifier:
    """Walk back from the model's output to its dense head, through nested models.

    Activation and Softmax layers after the dense layer are skipped (scores
    are taken *before* them, as is the dense layer's own activation); between
    the dense layer and a GlobalAveragePooling2D only inference-time
    identities (Dropout, Flatten, ...) are allowed.
    """
    site = source(check_model(model).outputs[0])
    applied = []
    while isinstance(site.layer, _ACTIVATIONS):
        applied.append(_activation_name(site.layer))
        site = site.only_input()
    if not isinstance(site.layer, keras.layers.Dense):
        return Classifier(None, site, None, None, _last(applied))
    dense, score_input = site.layer, site.only_input()
    activation = _last(applied + [_activation_name(dense)])
    pool = score_input
    while isinstance(pool.layer, _PASS_THROUGH):
        pool = pool.only_input()
    if isinstance(pool.layer, keras.layers.GlobalAveragePooling2D) \
            and pool.layer.data_format == "channels_last":
        return Classifier(dense, score_input, pool, pool.only_input(), activation)
    return Classifier(dense, score_input, None, None, activation)


def _activation_name(layer) -> str:
    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    return getattr(getattr(layer, "activation", None), "__name__", "linear")


def _last(applied: list[str]) -> str:
    """The activation nearest the scores that is not the identity (the first applied)."""
    real = [name for name in applied if name != "linear"]
    return real[-1] if real else "linear"


def _is_feature_map(site: Site) -> bool:
    shape = site.shape
    return len(shape) == 4 and not site.is_input and (shape[1] or 2) * (shape[2] or 2) > 1


def last_feature_maps(model: keras.Model) -> Site:
    """The last 4-D activation (N, h, w, C), h*w > 1, that feeds the decision.

    Found by walking back from the scores, through nested models: the CAM's
    ``F`` for a GAP + Dense head, the layer before Flatten for a VGG-like head.
    """
    site = find_classifier(model).score_input
    while not _is_feature_map(site):
        if site.is_input:
            raise ValueError(f"model: {model.name!r} has no 4-D feature maps (N, h, w, C) "
                             f"before its decision; these methods need a convolutional network")
        site = site.only_input()
    return site


def sites(model: keras.Model, path: tuple = ()):
    """Every layer of ``model`` as a :class:`Site`, nested models' layers included, in order."""
    graph = _graph(model)
    nodes = {id(node.operation): node for depth in graph._nodes_by_depth.values()
             for node in depth}
    for layer in graph.layers:
        node = nodes[id(layer)]
        yield Site(layer, node, node.output_tensors[0], path)
        if isinstance(layer, keras.Model) and _graph(layer) is not None:
            yield from sites(layer, path + ((layer, node),))


def find_layer(model: keras.Model, layer: str | keras.layers.Layer) -> Site:
    """Find a layer by name (or check a layer object) anywhere in ``model``.

    Raises
    ------
    ValueError
        No such layer, or the name is used by several layers.
    """
    everywhere = list(sites(check_model(model)))
    if isinstance(layer, keras.layers.Layer):
        found = [site for site in everywhere if site.layer is layer]
        if not found:
            raise ValueError(f"layer: {layer.name!r} is not a layer of model {model.name!r}")
        return found[0]
    if not isinstance(layer, str):
        raise TypeError(f"layer: expected a layer name (str) or a keras layer, got "
                        f"{type(layer).__name__}")
    found = [site for site in everywhere if site.name == layer]
    if not found:
        four_d = [site.name for site in everywhere if len(site.shape) == 4][-5:]
        raise ValueError(f"layer: no layer named {layer!r} in model {model.name!r}; "
                         f"its last 4-D layers are {four_d}")
    if len(found) > 1:
        raise ValueError(f"layer: the name {layer!r} is used by {len(found)} layers; "
                         f"pass the layer object instead")
    return found[0]


def _call(op, args, kwargs):
    if "training" in getattr(op, "_call_context_args", ()):
        kwargs = {**kwargs, "training": False}
    return op(*args, **kwargs)


def _run(model, x, keys: frozenset, found: dict, prefix: tuple = ()):
    """Re-run ``model``'s graph on the tensor ``x``, recording the outputs of ``keys``."""
    graph = _graph(model)
    for tensor in graph.inputs:
        key = prefix + (id(tensor._keras_history.operation),)
        if key in keys:
            found[key] = x

    def operation_fn(op):
        def call(*args, **kwargs):
            key = prefix + (id(op),)
            inside = any(len(k) > len(key) and k[:len(key)] == key for k in keys)
            out = _run(op, args[0], keys, found, key) if inside else _call(op, args, kwargs)
            if key in keys:
                found[key] = out
            return out
        return call

    return graph._run_through_graph(x, operation_fn=operation_fn)


class Tap:
    """Computes the outputs of some sites of a model, in inference mode.

    The layers run are the model's own (same weights); the model is not changed.

    Parameters
    ----------
    model : keras.Model
    targets : list of Site
        As found by :func:`find_layer` or :func:`find_classifier`.
    """

    def __init__(self, model: keras.Model, targets: list[Site]):
        self.model, self.targets = model, list(targets)
        self._keys = frozenset(site.key for site in self.targets)

    def __call__(self, x) -> list:
        """``x`` (N, H, W, C) -> one tensor per target, in order."""
        found: dict = {}
        _run(self.model, x, self._keys, found)
        return [found[site.key] for site in self.targets]


def layer_shapes(model: keras.Model, names: list[str]) -> list[tuple[str, tuple]]:
    """Output shapes (without the batch axis) of named layers, in order.

    Parameters
    ----------
    model : keras.Model
    names : list of str
        Layer names (at any depth), e.g. a network's stage outputs.

    Returns
    -------
    list of (name, shape)
    """
    return [(name, find_layer(model, name).shape[1:]) for name in names]
