"""Tag stage: clean text -> language, entities, keywords, topics.

Pure given the loaded model: `tag(cleaned, model, settings, stats=None)`.
`load_model` is called once per worker process, before the first task.
Importing this package is cheap (spaCy loads in `load_model`).
"""

from newsflow.tag.tagger import Known, TagModel, load_model, tag
from newsflow.tag.keywords import CorpusStats, Stats
from newsflow.tag.settings import TagSettings

__all__ = ["CorpusStats", "Known", "Stats", "TagModel", "TagSettings", "load_model", "tag"]
