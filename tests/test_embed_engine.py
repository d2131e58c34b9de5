"""newsflow/embed/engine.py: the story model as newsflow runs it, against the reference model.

Golden values: sentence-transformers 6.2.0 (transformers 5.24.0, torch 2.13.0 CPU) running
all-MiniLM-L6-v2 from the same wheel's files, max_seq_length 128, normalize_embeddings=True
(computed once, outside this repository: newsflow never installs torch).
"""

from __future__ import annotations

import numpy as np
import pytest

from newsflow.embed import Embedder, EmbedSettings, article_text, cosine_int8, to_int8
from newsflow.embed.engine import _tokenizer
from newsflow.embed.weights import model_dir, read_safetensors, read_shape
from newsflow.embed.reference import encode

SENTENCES = (
    "A fire destroyed a warehouse near the harbour on Tuesday night, and no one was hurt.",
    "Firefighters spent the night fighting a blaze that gutted a dockside storage building.",
    "The central bank raised its main interest rate by a quarter of a percentage point.",
    "Biologists have described a new species of tree frog found in a mountain rainforest.",
    "Voters in the city will choose a new mayor next month after the incumbent stepped down.",
    "The council met on Monday. " * 60 + "It adjourned late.",  # 368 tokens: cut to 128
)
#: Cosines the reference model gives (sentence-transformers, float32).
REFERENCE = {(0, 1): 0.4772336, (0, 2): -0.0620945, (2, 3): -0.0238623, (3, 4): 0.0036238, (0, 5): 0.0260713}
#: The first components of the reference embeddings of sentences 0 and 5.
REFERENCE_START = {0: (0.069594, 0.113054, 0.027886, 0.055521), 5: (-0.044492, -0.006169, 0.037152, 0.036764)}
#: int8 quantisation moves a cosine by up to this (measured: 0.0094 on these pairs; story F1 unchanged).
INT8_TOLERANCE = 0.02


@pytest.fixture(scope="module")
def exact():
    return Embedder(EmbedSettings(quantize=False))


@pytest.fixture(scope="module")
def quantized():
    return Embedder(EmbedSettings())


def test_float_engine_gives_the_reference_cosines(exact):
    """Unquantised, every pair's cosine is the reference model's to 1e-3 (the 128-token cut included),
    and the vectors themselves start as the reference's."""
    vectors = [exact.embed(s) for s in SENTENCES]
    for (a, b), want in REFERENCE.items():
        assert abs(float(vectors[a] @ vectors[b]) - want) < 1e-3, (a, b)
    for i, start in REFERENCE_START.items():
        assert np.abs(vectors[i][:4] - np.array(start)).max() < 1e-4


def test_quantized_engine_stays_near_the_reference(quantized):
    """The int8 engine (the service's) keeps every reference cosine within INT8_TOLERANCE, and
    still ranks the two fire sentences far above the unrelated pairs."""
    vectors = [quantized.embed(s) for s in SENTENCES]
    for (a, b), want in REFERENCE.items():
        assert abs(float(vectors[a] @ vectors[b]) - want) < INT8_TOLERANCE, (a, b)
    assert float(vectors[0] @ vectors[1]) > 0.4 > max(abs(float(vectors[a] @ vectors[b])) for a, b in REFERENCE
                                                       if (a, b) != (0, 1))


def test_float_engine_matches_a_numpy_forward_pass(exact):
    """On text written here, the engine equals an independent numpy encoder over the same weights."""
    folder = model_dir()
    tensors, shape = read_safetensors(folder / "model.safetensors"), read_shape(folder)
    for text in ("Rain is expected across the north on Friday.", SENTENCES[5]):
        ids = exact.token_ids(text)
        want = encode(tensors, ids, shape.layers, shape.heads, shape.layer_norm_eps)
        assert np.abs(exact.embed(text) - want).max() < 1e-4


def test_tokens_are_cut_to_the_setting(exact):
    """A long text is read as its first max_tokens tokens, [CLS] first and [SEP] last; characters
    past max_chars are never tokenised."""
    ids = exact.token_ids(SENTENCES[5])
    assert len(ids) == 128 and ids[0] == 101 and ids[-1] == 102
    short = Embedder.__new__(Embedder)
    short.settings, short.tokenizer = EmbedSettings(max_chars=10), exact.tokenizer
    assert len(short.token_ids("word " * 100)) == 4  # [CLS] word word [SEP]


def test_reading_a_head_first_gives_the_same_tokens(exact):
    """Long texts are tokenised from a head cut at a space; the ids equal those of the whole text
    cut to max_chars, whether the head fills max_tokens or (sparse text) the rest is read too."""
    dense = " ".join(f"Councillors met {k} times about the harbour wall." for k in range(200))
    sparse = "".join(f"vote{k}" + " " * 60 for k in range(100))  # the head holds ~16 words
    spaced = "tide" + " " * 1500 + "surge " * 300  # no space-free cut can fill the head
    for text in (dense, sparse, spaced, dense[:999], "x" * 5000):
        want = exact.tokenizer.encode(text[:exact.settings.max_chars]).ids
        assert exact.token_ids(text) == want
    head = exact.settings.head_chars
    assert len(exact.token_ids(dense)) == 128  # from the head alone
    assert len(exact.tokenizer.encode(sparse[:head]).ids) < len(exact.token_ids(sparse))  # read past it


def test_a_short_head_never_splits_a_word(exact):
    """With a head of a few dozen characters and 8 tokens, so that the head's edge falls inside
    words of several pieces: random texts of such words still give the ids of the whole text."""
    import random

    words = ["harbour", "councillors", "unprecedented", "wall", "met", "extraordinarily", "tidal", "surge"]
    rng = random.Random(7)
    small = Embedder.__new__(Embedder)
    small.tokenizer = _tokenizer(model_dir(), 8)
    for head in range(12, 60):
        small.settings = EmbedSettings(max_tokens=8, head_chars=head)
        for _ in range(20):
            text = " ".join(rng.choice(words) for _ in range(30))
            assert small.token_ids(text) == small.tokenizer.encode(text).ids, (head, text)


def test_article_text_puts_the_title_first():
    """The title, then the body; no title, just the body."""
    assert article_text("Storm hits coast", ["First.", "Second."]) == "Storm hits coast\nFirst.\nSecond."
    assert article_text("", ["First."]) == "First."


def test_int8_vectors_keep_their_cosines():
    """to_int8 scales the largest component to ±127; cosines of random unit vectors survive the
    round trip within 0.01; an all-zero or empty vector has cosine 0 with anything."""
    rng = np.random.default_rng(5)
    for _ in range(50):
        a, b = rng.normal(size=384), rng.normal(size=384)
        b = a + rng.uniform(0, 2) * b
        qa, qb = to_int8(a), to_int8(b)
        assert len(qa) == 384 and max(abs(v) for v in np.frombuffer(qa, np.int8)) == 127
        want = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
        assert abs(cosine_int8(qa, qb) - want) < 0.01
    assert to_int8(np.zeros(384)) == bytes(384)
    assert cosine_int8(bytes(384), to_int8(np.ones(384))) == 0.0 and cosine_int8(b"", b"") == 0.0
