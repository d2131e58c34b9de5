"""The models a worker holds: the NER pipeline (with its tables) and the story model.

Loaded once per worker node, in its main process before the pool forks (`load_models`, then
`gc.freeze()`), so pool processes share their pages copy-on-write; a process with none (`process
--inline`, a test) loads its own on first use. Each load logs `model_loaded` with its time and the
resident memory it added.
"""

from __future__ import annotations

import ctypes
import os
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from newsflow.embed import EMBED_MODEL, Embedder, ModelMissing
from newsflow.logs import get_logger
from newsflow.settings import Settings
from newsflow.tag import load_model
from newsflow.tag.tagger import model_packages

log = get_logger()


@dataclass(frozen=True)
class Models:
    """The NER model (newsflow.tag.TagModel) and the story model (an Embedder, None when off or
    not installed: stories are then decided by TF-IDF)."""

    tag: Any
    embedder: Embedder | None
    #: Each topic's description embedded by the story model (rows, in the taxonomy's order): the
    #: topics of articles in a language the taxonomy's terms are not written in. None without it.
    topic_vectors: Any = None


def rss_mb() -> float:
    """This process's resident memory in MB (0 where /proc is not there)."""
    try:
        pages = int(open("/proc/self/statm").read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _embedder(settings: Settings) -> Embedder:
    """The story model, and the heap its load freed (the compressed weights it read) given back to
    the system: glibc keeps freed memory for reuse, and a worker node's main process would hold it
    for ever, copied into no pool process but counted in the node's memory."""
    embedder = Embedder(settings.embed)
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to give back this way
        pass
    return embedder


def _timed(load: Callable[[], Any], model: str, worker: str, **fields: Any) -> Any:
    started, before = time.perf_counter(), rss_mb()
    loaded = load()
    log.info("model_loaded", model=model, worker=worker, duration_ms=round((time.perf_counter() - started) * 1000, 1),
             rss_added_mb=round(rss_mb() - before, 1), **fields)
    return loaded


def centroids(embedder: Embedder, phrases: tuple[tuple[str, ...], ...]) -> np.ndarray:
    """Each topic's vector: the unit-length mean of the embeddings of its name and terms (one row per
    topic). Each topic's phrases in one batch: 0.37 s of CPU for the IPTC taxonomy's 17 topics and
    724 phrases, 2.7 s one at a time (the same vectors to 5e-8)."""
    rows = []
    for words in phrases:
        mean = embedder.embed_many(words).mean(axis=0)
        rows.append(mean / (np.linalg.norm(mean) or 1.0))
    return np.array(rows, dtype=np.float32)


def load_models(settings: Settings, worker: str) -> Models:
    """Load both models (the story model only when NEWSFLOW_EMBED_ENABLED), logging each."""
    tag_model = _timed(lambda: load_model(settings.tag), settings.tag.model, worker,
                       languages=sorted(model_packages(settings.tag)))
    embedder = None
    if settings.embed.enabled:
        try:
            embedder = _timed(lambda: _embedder(settings), EMBED_MODEL, worker)
        except ModelMissing as exc:  # an install without the model wheel: TF-IDF stories, said once
            log.warning("story_model_missing", model=EMBED_MODEL, worker=worker, error=str(exc))
    topic_vectors = None
    if embedder is not None:
        topic_vectors = centroids(embedder, tag_model.taxonomy.phrases)
    return Models(tag_model, embedder, topic_vectors)
