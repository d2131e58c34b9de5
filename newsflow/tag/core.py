"""First version: spaCy NER, frequent content words as keywords, no topics yet."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from newsflow.model import Cleaned, Entity, Tags


@dataclass(frozen=True)
class TagSettings:
    #: spaCy pipeline package to load.
    model: str = "en_core_web_sm"
    #: Keywords kept per article.
    max_keywords: int = 10


def load_model(settings: TagSettings = TagSettings()) -> Any:
    import spacy

    return spacy.load(settings.model, exclude=["parser", "lemmatizer", "textcat"])


def tag(cleaned: Cleaned, nlp: Any, settings: TagSettings = TagSettings()) -> Tags:
    doc = nlp(cleaned.text)
    counts = Counter((ent.text, ent.label_) for ent in doc.ents)
    entities = tuple(Entity(text, label, n) for (text, label), n in counts.most_common())
    words = Counter(
        t.lemma_.lower() if t.lemma_ else t.lower_
        for t in doc
        if t.is_alpha and not t.is_stop and len(t) > 2
    )
    keywords = tuple(w for w, _ in words.most_common(settings.max_keywords))
    return Tags(language="en" if cleaned.paragraphs else None, entities=entities, keywords=keywords)
