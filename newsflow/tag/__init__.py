"""Tag stage: clean text -> language, entities, keywords, topics.

Pure given the loaded model: `tag(cleaned, model, settings)`. `load_model`
is called once per worker process, before the first task.
"""

from newsflow.tag.core import TagSettings, load_model, tag

__all__ = ["TagSettings", "load_model", "tag"]
