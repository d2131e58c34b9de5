"""The sentence model as an ONNX graph, built from its weights with the ``onnx`` helper API.

One article at a time, so the graph takes ``input_ids`` [1, n] and no attention mask (nothing is
padded); token types are all 0, so the type embedding is folded into the position table. The
attention is ONNX Runtime's fused operator (ONNX Runtime is the engine). Output:
the mean of the last layer's token vectors, L2-normalised ([1, hidden]), as sentence-transformers
computes it for this model.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from newsflow.embed.weights import ModelShape

#: Opset 20: the first with a Gelu operator (ReduceMean takes its axes as an input since 18).
OPSET = 20
#: ONNX Runtime's own operators (Attention): one fused kernel, and int8 as QAttention.
CONTRIB = "com.microsoft"


class _Builder:
    """Appends nodes and initialisers; names are unique by a counter."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self._n = 0

    def const(self, array: np.ndarray, name: str | None = None) -> str:
        self._n += 1
        name = name or f"c{self._n}"
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, kind: str, *inputs: str, **attrs) -> str:
        self._n += 1
        out = f"t{self._n}"
        self.nodes.append(helper.make_node(kind, list(inputs), [out], **attrs))
        return out

    def linear(self, x: str, w: np.ndarray, b: np.ndarray) -> str:
        """x @ w.T + b (w as stored by torch: [out, in])."""
        return self.op("Add", self.op("MatMul", x, self.const(w.T.astype(np.float32))), self.const(b))

    def norm(self, x: str, w: np.ndarray, b: np.ndarray, eps: float) -> str:
        return self.op("LayerNormalization", x, self.const(w), self.const(b), axis=-1, epsilon=eps)


def _attention(g: _Builder, x: str, t: dict[str, np.ndarray], p: str, shape: ModelShape) -> str:
    """Self-attention as ONNX Runtime's fused Attention operator (query, key and value weights in one
    [hidden, 3 x hidden] matrix; no mask: one unpadded sequence), then the output projection."""
    parts = [f"{p}.attention.self.{name}" for name in ("query", "key", "value")]
    weight = np.concatenate([t[f"{q}.weight"].T for q in parts], axis=1).astype(np.float32)
    bias = np.concatenate([t[f"{q}.bias"] for q in parts]).astype(np.float32)
    context = g.op("Attention", x, g.const(weight), g.const(bias), domain=CONTRIB, num_heads=shape.heads)
    out = g.linear(context, t[f"{p}.attention.output.dense.weight"], t[f"{p}.attention.output.dense.bias"])
    return g.norm(g.op("Add", out, x), t[f"{p}.attention.output.LayerNorm.weight"],
                  t[f"{p}.attention.output.LayerNorm.bias"], shape.layer_norm_eps)


def _feed_forward(g: _Builder, x: str, t: dict[str, np.ndarray], p: str, shape: ModelShape) -> str:
    h = g.linear(x, t[f"{p}.intermediate.dense.weight"], t[f"{p}.intermediate.dense.bias"])
    h = g.op("Gelu", h)  # the exact (erf) GELU, as the model was trained
    out = g.linear(h, t[f"{p}.output.dense.weight"], t[f"{p}.output.dense.bias"])
    return g.norm(g.op("Add", out, x), t[f"{p}.output.LayerNorm.weight"], t[f"{p}.output.LayerNorm.bias"],
                  shape.layer_norm_eps)


def build(tensors: dict[str, np.ndarray], shape: ModelShape) -> onnx.ModelProto:
    """The whole model: embeddings, ``shape.layers`` encoder layers, mean pooling, L2 norm."""
    g = _Builder()
    positions = tensors["embeddings.position_embeddings.weight"] + tensors["embeddings.token_type_embeddings.weight"][0]
    n = g.op("Shape", "input_ids", start=1, end=2)
    pos = g.op("Slice", g.const(positions.astype(np.float32)), g.const(np.array([0], dtype=np.int64)), n,
               g.const(np.array([0], dtype=np.int64)))
    words = g.op("Gather", g.const(tensors["embeddings.word_embeddings.weight"]), "input_ids", axis=0)
    x = g.norm(g.op("Add", words, pos), tensors["embeddings.LayerNorm.weight"], tensors["embeddings.LayerNorm.bias"],
               shape.layer_norm_eps)
    for layer in range(shape.layers):
        p = f"encoder.layer.{layer}"
        x = _feed_forward(g, _attention(g, x, tensors, p, shape), tensors, p, shape)
    pooled = g.op("ReduceMean", x, g.const(np.array([1], dtype=np.int64)), keepdims=0)
    g.nodes.append(helper.make_node("LpNormalization", [pooled], ["embedding"], axis=-1, p=2))
    graph = helper.make_graph(
        g.nodes, "sentence_embedding",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "tokens"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, shape.hidden])], g.inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(CONTRIB, 1)])
