"""Shared fixtures: small random-weight models of every kind the CAM code meets."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

SIZE = 32


def _trunk(inputs):
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu", name="conv1")(inputs)
    return keras.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="features")(x)


@pytest.fixture(scope="session")
def functional_model():
    """Functional: conv -> conv (8x8x16) -> GAP -> Dropout -> Dense(softmax)."""
    keras.utils.set_random_seed(1)
    inputs = keras.Input((SIZE, SIZE, 3))
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(_trunk(inputs))
    x = keras.layers.Dropout(0.5)(x)
    outputs = keras.layers.Dense(6, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="functional")


@pytest.fixture(scope="session")
def sequential_model():
    """Sequential: conv -> GAP -> Dense (linear) -> Softmax layer."""
    keras.utils.set_random_seed(2)
    return keras.Sequential([
        keras.Input((SIZE, SIZE, 3)),
        keras.layers.Conv2D(12, 3, strides=2, activation="relu", name="features"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(5, name="logits"),
        keras.layers.Softmax(),
    ], name="sequential")


@pytest.fixture(scope="session")
def nested_model():
    """Transfer-learning shape: a Functional base used as one layer of a new classifier."""
    keras.utils.set_random_seed(3)
    base_in = keras.Input((SIZE, SIZE, 3))
    base = keras.Model(base_in, _trunk(base_in), name="base")
    inputs = keras.Input((SIZE, SIZE, 3))
    x = keras.layers.Rescaling(1 / 255.0)(inputs)
    x = keras.layers.GlobalAveragePooling2D()(base(x))
    outputs = keras.layers.Dense(4, activation="softmax", name="head")(x)
    return keras.Model(inputs, outputs, name="nested")


@pytest.fixture(scope="session")
def no_gap_model():
    """A VGG-like head: Flatten + Dense, no global average pooling."""
    keras.utils.set_random_seed(4)
    inputs = keras.Input((SIZE, SIZE, 3))
    x = keras.layers.Flatten()(_trunk(inputs))
    outputs = keras.layers.Dense(3, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="no_gap")


@pytest.fixture(scope="session")
def resnet50():
    """ResNet50 with random weights (the architecture of lesson 07, offline)."""
    keras.utils.set_random_seed(5)
    return keras.applications.ResNet50(weights=None)


@pytest.fixture(scope="session")
def images():
    return np.random.default_rng(0).uniform(0, 255, (3, SIZE, SIZE, 3)).astype("float32")
