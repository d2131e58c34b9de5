"""newsflow/embed/graph.py: the ONNX graph built from a checkpoint computes the encoder (small random
models against the numpy forward pass of newsflow/embed/reference.py; no model wheel needed)."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from newsflow.embed.graph import build
from newsflow.embed.weights import ModelShape
from newsflow.embed.reference import encode, random_model


def _run(model: onnx.ModelProto, ids: list[int]) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"input_ids": np.asarray([ids], dtype=np.int64)})[0][0]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_graph_matches_a_numpy_forward_pass(seed):
    """Random 2-layer models, random token sequences of 1..20 tokens: the graph's output equals the
    independent numpy encoder to 1e-5, and has unit length."""
    rng = np.random.default_rng(seed)
    tensors = random_model(rng)
    model = build(tensors, ModelShape(layers=2, hidden=8, heads=2, layer_norm_eps=1e-12))
    onnx.checker.check_model(model)
    for n in (1, 7, 20):
        ids = [int(i) for i in rng.integers(0, 50, n)]
        got = _run(model, ids)
        assert np.abs(got - encode(tensors, ids, 2, 2, 1e-12)).max() < 1e-5
        assert abs(float(np.linalg.norm(got)) - 1) < 1e-5


def test_every_layer_is_used():
    """A graph built with one layer fewer gives another embedding: the layers are all applied."""
    rng = np.random.default_rng(7)
    tensors = random_model(rng)
    ids = [3, 14, 15, 9, 26]
    two = _run(build(tensors, ModelShape(2, 8, 2, 1e-12)), ids)
    one = _run(build(tensors, ModelShape(1, 8, 2, 1e-12)), ids)
    assert np.abs(two - one).max() > 1e-3
    assert np.abs(one - encode(tensors, ids, 1, 2, 1e-12)).max() < 1e-5
