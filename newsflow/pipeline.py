"""One admitted article through the stages to its committed result.

The glue between the pure stages and the state: fetch the bytes and source
from Redis, run the chain (CHAIN: clean -> fingerprint -> tag -> embed ->
index, each a step over one `Work` value), build the record, commit it to
Redis and write the result file. The Celery task and `newsflow process
--inline` both call `Pipeline.run` (through newsflow.boundary); it is
idempotent: an article already committed is not processed again, only its
result file is rewritten (with its current aliases: a stored record holds
none, reading one adds them).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import redis

from newsflow.clean import CleanError, clean, site_of
from newsflow.embed import article_text, to_int8
from newsflow.fingerprint import signature, with_story_terms
from newsflow.placement import Index
from newsflow.keys import Keys
from newsflow.limits import ArticleTimeLimit, time_limit
from newsflow.logs import get_logger
from newsflow.values import Cleaned, Document, Fingerprint, Placement, Tags
from newsflow.tag.topics import nearest_topics
from newsflow.nlp import Models, load_models
from newsflow.record import failed_record, ok_record, source_fields
from newsflow.settings import Settings
from newsflow.siteprofile import SiteProfileStore
from newsflow.store import Store
from newsflow.connection import redis_retries
from newsflow.results import write_result_file
from newsflow.tag import Known, tag
from newsflow.tagindex import TagIndex

log = get_logger()

#: A worker re-reads the keyword corpus statistics after this many articles...
STATS_REFRESH_ARTICLES = 500
#: ... or this many seconds, whichever comes first.
STATS_REFRESH_SECONDS = 300.0


#: The chain every article runs, top to bottom (a step is `Pipeline.step_<name>`, skipped when
#: `Pipeline.needs_<name>` says there is nothing to do; each logs `stage_done` with its time).
#: The first part is the article's own work, bounded by NEWSFLOW_ARTICLE_TIME_LIMIT; the second
#: writes to the shared indexes. Then the record is committed (`store`) and its file written.
BUDGETED = ("clean", "fingerprint", "tag", "embed")
SHARED = ("index",)
CHAIN = BUDGETED + SHARED


@dataclass(frozen=True)
class Work:
    """The one value the chain passes along: the article, and what each step found."""

    article_id: str
    name: str
    doc: Document
    models: Models
    cleaned: Cleaned | None = None
    fp: Fingerprint | None = None
    original: dict[str, Any] | None = None  # the committed record this text copies
    reused: dict[str, Any] | None = None  # the audit of that reuse (its id, how close)
    tags: Tags | None = None
    placement: Placement | None = None


class MissingInput(LookupError):
    """The message names an article whose source or bytes are not in Redis."""


class ResultsUnwritable(OSError):
    """The result file could not be written (disk full, read-only...): the deployment's
    fault, not the article's. Nothing was committed; the bytes stay; try again later."""


class Pipeline:
    """Runs the stages for articles admitted to one newsflow deployment."""

    def __init__(
        self,
        settings: Settings,
        client: redis.Redis,
        *,
        results_dir: Path | None,
        worker: str,
        models: Models | None = None,
    ):
        self.settings = settings
        self.keys = Keys(settings.key_prefix)
        self.store = Store(client, self.keys)
        self.index = Index(client, self.keys, settings.index)
        self.sites = SiteProfileStore(client, self.keys, settings.clean)
        self.tag_index = TagIndex(client, self.keys, settings.tag)
        self.results_dir = results_dir
        self.worker = worker
        self.models = models  # loaded by the worker node before forking, else on first use
        self._stats: Any = None
        self._stats_due = (0, 0.0)  # (articles left, monotonic deadline)

    def warm(self) -> Models:
        """The models, loaded now if this process has none yet (not on the first article)."""
        if self.models is None:
            self.models = load_models(self.settings, self.worker)
        return self.models

    def _corpus_stats(self) -> Any:
        """The shared keyword statistics, re-read now and then (not per article)."""
        left, deadline = self._stats_due
        if self._stats is None or left <= 0 or time.monotonic() >= deadline:
            self._stats = self.tag_index.corpus_stats()
            left, deadline = STATS_REFRESH_ARTICLES, time.monotonic() + STATS_REFRESH_SECONDS
        self._stats_due = (left - 1, deadline)
        return self._stats

    @contextmanager
    def _stage(self, stage: str, article_id: str, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        log.info("stage_done", stage=stage, article_id=article_id, file=name, worker=self.worker,
                 duration_ms=round((time.perf_counter() - started) * 1000, 2))

    def run(self, article_id: str) -> dict[str, Any]:
        """Process one admitted article and commit its result; return the record."""
        existing = self.store.record(article_id)
        if existing is not None:  # redelivered, or a later alias: rewrite the file, never redo
            self._write(existing)  # reading the record gave it its current aliases
            return existing
        source = self.store.source(article_id)
        if not source:
            raise MissingInput(f"article {article_id} was never admitted (no source in Redis)")
        name = source.get("name", "")
        started = time.perf_counter()
        src = source_fields(source, [])
        if source.get("error_type"):
            record = failed_record(article_id, src, source["error_type"], source.get("error_message", ""))
        else:
            data = self.store.raw(article_id)
            if data is None:
                raise MissingInput(f"the bytes of article {article_id} are no longer in Redis")
            record = self._stages(article_id, name, src, Document(name=name, data=data))
        record["worker"] = self.worker
        record["processed_at"] = round(time.time(), 3)
        with self._stage("store", article_id, name):
            self._commit(record)
        log.log(
            logging.ERROR if record["status"] == "failed" else logging.INFO,  # failures filter by level
            "article_done", article_id=article_id, file=name, worker=self.worker,
            status=record["status"], duplicate_of=record.get("duplicate_of"),
            story_id=record.get("story_id"), error=record.get("error"),
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return record

    def _stages(self, article_id: str, name: str, src: dict[str, Any], doc: Document) -> dict[str, Any]:
        """The chain over one article: its own work within its time budget, then the shared
        indexes; the record of what they found (failed when the cleaner refuses the input or
        the budget runs out)."""
        s = self.settings
        work, retried = Work(article_id, name, doc, self.warm()), redis_retries()
        try:
            with time_limit(s.article_time_limit):
                work = self._run(work, BUDGETED)
        except CleanError as exc:
            return failed_record(article_id, src, "CleanError", str(exc))
        except ArticleTimeLimit:
            if redis_retries() > retried:  # the time went to waiting for Redis: the deployment's fault
                raise redis.ConnectionError("the article's time ran out while Redis was being retried") from None
            log.error("article_time_limit", article_id=article_id, file=name, limit_seconds=s.article_time_limit)
            return failed_record(article_id, src, "TimeLimit", f"processing took longer than "
                                 f"{s.article_time_limit:g} s (NEWSFLOW_ARTICLE_TIME_LIMIT); the article was stopped")
        work = self._run(work, SHARED)
        return ok_record(article_id, src, work.cleaned, work.tags, work.fp, work.placement)

    def _run(self, work: "Work", steps: tuple[str, ...]) -> "Work":
        """Run `steps` in order, each timed (`stage_done`); a step with nothing to do is skipped."""
        for name in steps:
            step = getattr(self, f"step_{name}")
            if getattr(self, f"needs_{name}", lambda w: True)(work):
                with self._stage(name, work.article_id, work.name):
                    work = step(work)
        return work

    # -- the steps, in the order CHAIN runs them ------------------------------------------------
    def step_clean(self, w: "Work") -> "Work":
        """The body, title, date, byline and outlet, without the site's furniture (learned across
        its pages, shared by every worker)."""
        site = site_of(w.doc)
        cleaned = clean(w.doc, self.settings.clean, self.sites.profile_for(site))
        self.sites.learn(site, cleaned)
        return dataclasses.replace(w, cleaned=cleaned)

    def step_fingerprint(self, w: "Work") -> "Work":
        """Exact and near-duplicate signatures, and the committed original this text copies (a
        copy's tags are read only where it differs)."""
        fp = signature(w.cleaned, self.settings.fingerprint)
        original, reused = self._original(fp) if w.cleaned.paragraphs else (None, None)
        return dataclasses.replace(w, fp=fp, original=original, reused=reused)

    def step_tag(self, w: "Work") -> "Work":
        """Language, entities, keywords and topics in the article's language; its story terms."""
        s = self.settings
        known = Known.of(w.original) if w.original is not None else None  # a copy: read what is new
        tags = tag(w.cleaned, w.models.tag, s.tag, stats=self._corpus_stats(), known=known)
        return dataclasses.replace(w, tags=tags, fp=with_story_terms(w.fp, w.cleaned, tags, s.fingerprint))

    def needs_embed(self, w: "Work") -> bool:
        """An original needs its story vector; an article whose language has no topic terms needs
        the vector for its topics. A copy of a committed original needs neither."""
        if w.models.embedder is None or not w.cleaned.paragraphs or not self._reads(w.tags.language):
            return False
        return w.original is None or self._needs_topics(w)

    def step_embed(self, w: "Work") -> "Work":
        """The story model's vector: the original's embedding, and topics by embedding."""
        vector = w.models.embedder.embed(article_text(w.cleaned.title or "", w.cleaned.paragraphs))
        fp = dataclasses.replace(w.fp, embedding=to_int8(vector)) if w.original is None else w.fp
        tags = self._embedded_topics(w.tags, vector, w.models) if self._needs_topics(w) else w.tags
        return dataclasses.replace(w, fp=fp, tags=tags)

    def step_index(self, w: "Work") -> "Work":
        """The duplicate and story decisions in the shared index; the tags into the tag index."""
        if w.cleaned.paragraphs:
            placement = self._with_languages(self.index.place(w.article_id, w.fp, w.cleaned.published),
                                             w.tags.language)
        else:  # a title and no body: nothing to compare, so no copy of anything and a story of its own
            placement = Placement(None, w.article_id, {"method": "no_body",
                                                       "reason": "no body text: never a duplicate, its own story"})
        self.tag_index.add(w.article_id, w.tags)
        if w.reused:
            placement = dataclasses.replace(placement, audit={**placement.audit, "tags": w.reused})
        return dataclasses.replace(w, placement=placement)

    # -- what the steps share -------------------------------------------------------------------
    @staticmethod
    def _needs_topics(w: "Work") -> bool:
        return dict(w.tags.skipped).get("topics") is not None and w.models.topic_vectors is not None

    def _reads(self, language: str | None) -> bool:
        """Whether the story model reads an article of this language (unknown: yes)."""
        return language is None or language in self.settings.embed.languages

    def _with_languages(self, placement: Placement, language: str | None) -> Placement:
        """The story decision's language pair in its audit (`languages`): this article's language,
        then its best match's ("de-en"); the article's alone when it had no candidate; "und" where
        a language is unknown (or the match is not committed yet). An article the story model does
        not read for its language says so (`embedding`)."""
        story = placement.audit.get("story")
        if not isinstance(story, dict):
            return placement
        match = story.get("best_match")
        theirs = (self.store.record(match) or {}).get("language") if match else None
        extra = {"languages": f"{language or 'und'}-{theirs or 'und'}" if match else (language or "und")}
        if not self._reads(language):
            extra["embedding"] = f"no story model for {language}: decided by story terms"
        return dataclasses.replace(placement, audit={**placement.audit, "story": {**story, **extra}})

    def _embedded_topics(self, tags: Tags, vector: Any, models: Models) -> Tags:
        """Topics for an article whose language the taxonomy's terms are not written in: its
        embedding against each topic's description (newsflow.tag.topics.nearest_topics)."""
        s = self.settings.tag
        topics = nearest_topics(vector, models.topic_vectors, models.tag.taxonomy.names,
                                min_cosine=s.topic_embedding_min_cosine, margin=s.topic_embedding_margin,
                                max_topics=s.max_topics)
        why = dict(tags.skipped)["topics"]
        note = f"by the story model's embedding ({why})" if topics else f"no topic near enough ({why})"
        skipped = tuple((k, note if k == "topics" else v) for k, v in tags.skipped)
        return dataclasses.replace(tags, topics=topics, skipped=skipped)

    def _original(self, fp: Fingerprint) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """The committed record of the article this text copies (the index's duplicate decision),
        and the audit saying so (`jaccard`: how closely); (None, None) otherwise."""
        found = self.index.original_of(fp)
        if found is None or not self.settings.tag.reuse_copies:
            return None, None
        record = self.store.record(found[0])
        if record is None or record.get("status") != "ok":  # not committed yet: tag it ourselves
            return None, None
        return record, {"reused_from": found[0], "jaccard": round(found[1], 4)}

    def fail(self, article_id: str, error_type: str, message: str) -> dict[str, Any]:
        """Commit a failed record for an article that could not be processed, saying why."""
        source = self.store.source(article_id)
        record = failed_record(article_id, source_fields(source, []), error_type, message, worker=self.worker)
        self._commit(record)
        log.error("article_done", article_id=article_id, file=source.get("name"), worker=self.worker,
                  status="failed", error=record["error"])
        return record

    def _commit(self, record: dict[str, Any]) -> None:
        """The result file with the current aliases (first: the commit deletes the bytes), then the
        record in Redis. An alias admitted meanwhile found no committed record and queued nothing:
        the file learns it here."""
        record["source"]["aliases"] = self.store.aliases(record["id"])
        self._write(record)
        self.store.commit(record)
        later = self.store.aliases(record["id"])
        if later != record["source"]["aliases"]:
            record["source"]["aliases"] = later
            self._write(record)

    def _write(self, record: dict[str, Any]) -> None:
        """Write the result file; raise ResultsUnwritable (noted in Redis, logged) if the disk refuses."""
        if self.results_dir is None:
            return
        try:
            write_result_file(self.results_dir, record)
        except OSError as exc:
            self.store.block_results(record["id"])
            log.error("results_write_failed", article_id=record["id"], path=str(self.results_dir),
                      errno=exc.errno, error=exc.strerror or str(exc), worker=self.worker)
            raise ResultsUnwritable(exc.errno, f"cannot write the result file in {self.results_dir}: "
                                    f"{exc.strerror or exc}") from exc
