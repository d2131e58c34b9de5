"""A plain numpy forward pass of a BERT sentence encoder (mean pooling, L2 norm), written from the
architecture, not from graph.py: the oracle the engine's tests compare with, and the plain baseline
ops/bench.py times beside the engine. Not used by the service."""

from __future__ import annotations

import math

import numpy as np



def _erf(x: np.ndarray) -> np.ndarray:
    """erf, vectorised (Abramowitz and Stegun 7.1.26: absolute error under 1.5e-7)."""
    sign, a = np.sign(x), np.abs(x)
    t = 1 / (1 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1 - poly * np.exp(-a * a))


def _norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _layer(x: np.ndarray, t: dict[str, np.ndarray], p: str, heads: int, eps: float) -> np.ndarray:
    n, hidden = x.shape
    size = hidden // heads

    def dense(y: np.ndarray, name: str) -> np.ndarray:
        return y @ t[f"{p}.{name}.weight"].astype(y.dtype).T + t[f"{p}.{name}.bias"]

    q, k, v = (dense(x, f"attention.self.{m}").reshape(n, heads, size).transpose(1, 0, 2)
               for m in ("query", "key", "value"))
    context = (_softmax(q @ k.transpose(0, 2, 1) / math.sqrt(size)) @ v).transpose(1, 0, 2).reshape(n, hidden)
    x = _norm(dense(context, "attention.output.dense") + x, t[f"{p}.attention.output.LayerNorm.weight"],
              t[f"{p}.attention.output.LayerNorm.bias"], eps)
    h = dense(x, "intermediate.dense")
    h = 0.5 * h * (1 + _erf(h / math.sqrt(2)).astype(h.dtype))
    return _norm(dense(h, "output.dense") + x, t[f"{p}.output.LayerNorm.weight"], t[f"{p}.output.LayerNorm.bias"], eps)


def encode(tensors: dict[str, np.ndarray], ids: list[int], layers: int, heads: int, eps: float,
           dtype: type = np.float64) -> np.ndarray:
    """The unit-length sentence embedding of token `ids` (one sequence, no padding)."""
    t = tensors
    x = (t["embeddings.word_embeddings.weight"][ids] + t["embeddings.position_embeddings.weight"][:len(ids)]
         + t["embeddings.token_type_embeddings.weight"][0]).astype(dtype)
    x = _norm(x, t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"], eps)
    for layer in range(layers):
        x = _layer(x, t, f"encoder.layer.{layer}", heads, eps)
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


def random_model(rng: np.random.Generator, layers: int = 2, hidden: int = 8, heads: int = 2,
                 vocab: int = 50, positions: int = 20) -> dict[str, np.ndarray]:
    """Random float32 weights with the tensor names of a BERT checkpoint (for small graph tests)."""
    def w(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.5, shape).astype(np.float32)

    t = {"embeddings.word_embeddings.weight": w(vocab, hidden), "embeddings.position_embeddings.weight": w(positions, hidden),
         "embeddings.token_type_embeddings.weight": w(2, hidden), "embeddings.LayerNorm.weight": 1 + w(hidden),
         "embeddings.LayerNorm.bias": w(hidden)}
    for layer in range(layers):
        p = f"encoder.layer.{layer}"
        for name, (out, inp) in {"attention.self.query": (hidden, hidden), "attention.self.key": (hidden, hidden),
                                 "attention.self.value": (hidden, hidden), "attention.output.dense": (hidden, hidden),
                                 "intermediate.dense": (4 * hidden, hidden), "output.dense": (hidden, 4 * hidden)}.items():
            t[f"{p}.{name}.weight"], t[f"{p}.{name}.bias"] = w(out, inp), w(out)
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            t[f"{p}.{name}.weight"], t[f"{p}.{name}.bias"] = 1 + w(hidden), w(hidden)
    return t
