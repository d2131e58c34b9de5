"""The embedding engine: tokenizer + ONNX Runtime session over the graph of graph.py.

Built once per process (``Embedder(settings)``, ~2-3 s: read the weights, build the graph, quantise
it); ``embed(text)`` then costs ~7 ms of CPU for 128 tokens on one core (ops/bench.py). Vectors are
stored as int8 (``to_int8``: 384 bytes), compared by ``cosine_int8`` (and by the index's Lua).
"""

from __future__ import annotations

import logging
import math
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np
import onnx
import onnxruntime as ort
from tokenizers import Tokenizer

from newsflow.embed.graph import build
from newsflow.embed.settings import EmbedSettings
from newsflow.embed.weights import model_dir, read_safetensors, read_shape

#: ORT fuses Add + LayerNormalization into SkipLayerNormalization; on the quantised graph that
#: fused kernel measured 3.4 ms per article against 0.5 ms unfused (ORT 1.32, ORT's own profiler).
DISABLED_OPTIMIZERS = ["SkipLayerNormFusion"]


def _quantised(model: onnx.ModelProto) -> bytes:
    """The graph with int8 weights per output channel (dynamic quantisation: activations are
    quantised per call): the projections become DynamicQuantizeMatMul, the attention QAttention."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(prefix="newsflow-embed-") as tmp, _quantiser_advice_off():
        source, target = Path(tmp, "float.onnx"), Path(tmp, "int8.onnx")
        onnx.save(model, source)
        quantize_dynamic(source, target, weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul", "Attention"],
                         # the quantiser cannot infer the type of a contrib operator's output: float
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        return target.read_bytes()


@contextmanager
def _quantiser_advice_off() -> Iterator[None]:
    """The quantiser logs advice for image models on the root logger at every start; not ours to show."""
    def not_advice(record: logging.LogRecord) -> bool:
        return "onnxruntime" not in record.pathname or "quantization" not in record.pathname

    root = logging.getLogger()
    root.addFilter(not_advice)
    try:
        yield
    finally:
        root.removeFilter(not_advice)


def _tokenizer(folder: Path, max_tokens: int) -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()  # one article at a time: nothing to pad to
    tokenizer.enable_truncation(max_tokens)
    return tokenizer


class Embedder:
    """all-MiniLM-L6-v2 sentence embeddings (mean-pooled, L2-normalised), one text at a time."""

    def __init__(self, settings: EmbedSettings = EmbedSettings(), folder: Path | None = None):
        folder = folder or model_dir(settings.package)
        self.settings = settings
        self.tokenizer = _tokenizer(folder, settings.max_tokens)
        model = build(read_safetensors(folder / "model.safetensors"), read_shape(folder))
        options = ort.SessionOptions()
        options.intra_op_num_threads = settings.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        graph = _quantised(model) if settings.quantize else model.SerializeToString()
        self.session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"],
                                            disabled_optimizers=DISABLED_OPTIMIZERS)

    def token_ids(self, text: str) -> list[int]:
        """The token ids the model reads for `text` (cut to max_tokens): those of its first
        head_chars when they fill max_tokens (cut at a space, so no word is split), else those of
        its first max_chars."""
        s = self.settings
        head = min(s.head_chars, s.max_chars)
        if len(text) > head:
            cut = max(text.rfind(" ", 0, head), text.rfind("\n", 0, head))
            ids = self.tokenizer.encode(text[:cut]).ids if cut > 0 else []
            if len(ids) >= s.max_tokens:
                return ids
        return self.tokenizer.encode(text[:s.max_chars]).ids

    def embed(self, text: str) -> np.ndarray:
        """The unit-length float32 embedding of `text`."""
        ids = np.asarray([self.token_ids(text)], dtype=np.int64)
        return self.session.run(None, {"input_ids": ids})[0][0]


def article_text(title: str, paragraphs: list[str] | tuple[str, ...]) -> str:
    """What an article's embedding reads: its title first, then its body."""
    return "\n".join([title, *paragraphs]) if title else "\n".join(paragraphs)


def to_int8(vector: np.ndarray) -> bytes:
    """The vector scaled so its largest component is ±127, as int8 bytes (cosines survive: ±0.01)."""
    peak = float(np.max(np.abs(vector))) if vector.size else 0.0
    if peak == 0.0:
        return bytes(len(vector))
    return np.round(vector * (127.0 / peak)).astype(np.int8).tobytes()


def cosine_int8(a: bytes, b: bytes) -> float:
    """Cosine of two int8 vectors (0 when either is empty or zero), as the index's Lua computes it."""
    if not a or not b:
        return 0.0
    x, y = np.frombuffer(a, dtype=np.int8).astype(np.int64), np.frombuffer(b, dtype=np.int8).astype(np.int64)
    norm = float(np.dot(x, x)) * float(np.dot(y, y))
    return float(np.dot(x, y)) / math.sqrt(norm) if norm else 0.0
