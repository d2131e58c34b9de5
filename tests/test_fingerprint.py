"""The fingerprint stage: exact hash, MinHash signature and story terms (pure, no server)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np

from newsflow.fingerprint import FingerprintSettings, fingerprint
from newsflow.fingerprint.signatures import (
    NUM_PERM,
    containment_estimate,
    jaccard_estimate,
    minhash,
    normalised_words,
    shingle_hashes,
)
from newsflow.placement.settings import IndexSettings
from newsflow.values import Cleaned, Entity, Tags

BODY = (
    "North Korean leader Kim Jong Un expects to meet President Vladimir Putin in Russia to discuss "
    "providing arms to Moscow for its war in Ukraine, the United States said on Monday.",
    "The announcement comes after the White House warned that Russia was in secret, active talks "
    "with the North to acquire a range of munitions and supplies for its war effort.",
    "Kim, who rarely travels outside his country, is likely to head later this month to Vladivostok "
    "on the Pacific coast, where he would meet the Russian leader, officials said.",
    "The talks could cover artillery shells and anti-tank missiles, and Moscow might offer "
    "technology for satellites and nuclear-powered submarines in return, analysts believe.",
)


def _cleaned(paragraphs, title="Kim to meet Putin"):
    return Cleaned(title=title, paragraphs=tuple(paragraphs))


def _fp(paragraphs, title="Kim to meet Putin", tags=Tags(language="en")):
    return fingerprint(_cleaned(paragraphs, title), tags)


def _sim(a, b):
    j = jaccard_estimate(a.minhash, b.minhash)
    return j, containment_estimate(j, a.shingles, b.shingles)


def test_golden_values_pin_the_hashes():
    """The hashes are stored in Redis and results: these exact values must never change silently."""
    fp = _fp(["The quick brown fox jumps over the lazy dog."])
    # exact pins of the normalisation, the word hashes and the permutations
    assert normalised_words("The Colour of the Centre’s «Programme»!") == ["the", "color", "of", "the", "centers", "program"]
    hashes = shingle_hashes(["a", "b", "c", "d", "e"], 4)
    assert [f"{int(h):016x}" for h in hashes] == GOLDEN_SHINGLES
    sig = minhash(hashes)
    assert [int(v) for v in sig[:4]] == GOLDEN_MINHASH
    assert fp.content_sha256 == GOLDEN_SHA


GOLDEN_SHINGLES = ["7fa899b327c7961a", "c90d4084b7f653a2"]
GOLDEN_MINHASH = [1385233752, 736620465, 2304397733, 215135479]
GOLDEN_SHA = "05c6e08f1d9fdafa03147fcb8f82f124c76d2f70e3d989dc8aadb5e7d7450bec"


def test_signature_is_json_ready_and_complete():
    """to_record() goes into the result: JSON-serialisable, with the MinHash, LSH rows and story terms."""
    tags = Tags(language="en", entities=(Entity("Kim Jong Un", "PERSON", 2), Entity("Vladivostok", "GPE", 1)))
    fp = _fp(BODY, tags=tags)
    d = json.loads(json.dumps(fp.to_record()))
    assert d["content_sha256"] == fp.content_sha256
    assert d["method"] == "minhash" and len(bytes.fromhex(d["minhash"])) == NUM_PERM
    assert len(d["lsh"]) == FingerprintSettings().lsh_bands
    assert "e:kim jong" in d["story_terms"] and "vladivostok" in d["story_terms"]
    assert "the" not in d["story_terms"] and "said" not in d["story_terms"]


def test_same_text_in_other_typography_is_exact_duplicate():
    """Case, punctuation, quotes and paragraphing do not change content_sha256."""
    a = _fp(BODY)
    b = _fp([" ".join(BODY).upper().replace(",", " ,").replace("'", "’")], title="OTHER HEADLINE")
    assert a.content_sha256 == b.content_sha256


def test_near_copies_are_similar_and_other_articles_are_not():
    """UK spelling, a dateline, a cut paragraph or a trimmed tail keep containment high; other text is far."""
    base = _fp(BODY)
    uk = _fp([p.replace("Korean", "Korean").replace("program", "programme") for p in BODY])
    dateline = _fp(["SEOUL (Reuters) - " + BODY[0], *BODY[1:]])
    cut = _fp([BODY[0], BODY[1], BODY[3]])
    trimmed = _fp(BODY[:3])
    other = _fp(
        [
            "The central bank raised interest rates by a quarter point on Wednesday, citing stubborn "
            "inflation in services and a tight labour market that has kept wages rising quickly.",
            "Economists had expected the move, and markets barely reacted to the announcement.",
        ]
    )
    s = IndexSettings()
    for copy in (uk, dateline, cut, trimmed):
        j, c = _sim(base, copy)
        assert c >= s.dup_containment and j >= s.dup_jaccard, (j, c)
    j, c = _sim(base, other)
    assert j < 0.05 and c < 0.1


def test_fingerprint_is_deterministic_and_settings_matter():
    """Same input, same output; the shingle size is a setting."""
    a, b = _fp(BODY), _fp(BODY)
    assert a == b
    c = fingerprint(_cleaned(BODY), Tags(language="en"), dataclasses.replace(FingerprintSettings(), shingle_words=3))
    assert c.minhash != a.minhash


def test_empty_and_tiny_texts_do_not_crash():
    """An empty body or a body shorter than one shingle still gets a signature."""
    empty = _fp([])
    assert empty.shingles == 0
    tiny = _fp(["Breaking."])
    assert tiny.shingles == 1


def test_minhash_estimates_jaccard():
    """The b-bit MinHash estimate is within a few points of the true Jaccard similarity."""
    rng = np.random.default_rng(7)
    universe = rng.integers(0, 2**63, size=3000, dtype=np.uint64)
    a, b = np.unique(universe[:2000]), np.unique(universe[1000:])
    true = 1000 / 3000
    est = jaccard_estimate(
        (minhash(a) & 0xFF).astype(np.uint8).tobytes(), (minhash(b) & 0xFF).astype(np.uint8).tobytes()
    )
    assert abs(est - true) < 0.12


def test_settings_have_a_comment_per_value():
    """Thresholds are data: every field of FingerprintSettings is documented in the source."""
    import inspect

    from newsflow.fingerprint import signatures as core

    src = inspect.getsource(core.FingerprintSettings)
    for f in dataclasses.fields(FingerprintSettings):
        line = src.index(f"    {f.name}:")
        assert "#:" in src[max(0, line - 300) : line].splitlines()[-1], f.name
