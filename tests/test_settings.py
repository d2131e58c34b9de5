"""Tests of newsflow.settings: environment -> one Settings object."""

from pathlib import Path

import pytest

from newsflow.settings import Settings


def test_defaults_without_environment():
    """With no NEWSFLOW_* variables, the documented defaults apply (embedded Redis)."""
    s = Settings.from_env({})
    assert s.redis_url is None
    assert s.state_dir == Path(".newsflow")
    assert s.inbox == Path("inbox") and s.results == Path("results")
    assert s.log_format == "json"


def test_environment_overrides_typed():
    """Variables are converted to the type of the setting they override."""
    s = Settings.from_env({
        "NEWSFLOW_REDIS_URL": "redis://:pw@example:6380/2",
        "NEWSFLOW_WORKERS": "3",
        "NEWSFLOW_WATCH_POLLING": "yes",
        "NEWSFLOW_QUIET_SECONDS": "0.25",
        "NEWSFLOW_INBOX": "/data/in",
    })
    assert s.redis_url == "redis://:pw@example:6380/2"
    assert s.workers == 3 and s.watch_polling is True
    assert s.quiet_seconds == 0.25 and s.inbox == Path("/data/in")


def test_stage_settings_overridable():
    """A stage threshold can be set as NEWSFLOW_<STAGE>_<FIELD>."""
    field = next(iter(Settings().fingerprint.__dataclass_fields__))
    default = getattr(Settings().fingerprint, field)
    if not isinstance(default, (int, float)) or isinstance(default, bool):
        pytest.skip("first fingerprint field is not numeric")
    s = Settings.from_env({f"NEWSFLOW_FINGERPRINT_{field.upper()}": str(default + 1)})
    assert getattr(s.fingerprint, field) == default + 1


def test_embed_settings_from_the_environment():
    """The story model's settings are NEWSFLOW_EMBED_<FIELD>: it can be turned off or read more text."""
    s = Settings.from_env({"NEWSFLOW_EMBED_ENABLED": "0", "NEWSFLOW_EMBED_MAX_CHARS": "1200"})
    assert (s.embed.enabled, s.embed.max_chars) == (False, 1200)
    assert Settings.from_env({}).embed.enabled


def test_index_settings_by_their_name_and_their_earlier_one():
    """The index's fields are NEWSFLOW_INDEX_<FIELD>; the earlier NEWSFLOW_FINGERPRINT_<FIELD> still
    sets them, and the new name wins when both are given."""
    assert Settings.from_env({"NEWSFLOW_INDEX_STORY_WINDOW_DAYS": "3"}).index.story_window_days == 3
    assert Settings.from_env({"NEWSFLOW_FINGERPRINT_STORY_WINDOW_DAYS": "4"}).index.story_window_days == 4
    both = {"NEWSFLOW_FINGERPRINT_STORY_WINDOW_DAYS": "4", "NEWSFLOW_INDEX_STORY_WINDOW_DAYS": "5"}
    assert Settings.from_env(both).index.story_window_days == 5
    assert Settings.from_env({"NEWSFLOW_FINGERPRINT_SHINGLE_WORDS": "3"}).fingerprint.shingle_words == 3


def test_flags_override_environment():
    """Explicit overrides (CLI flags) win over the environment; None means 'not given'."""
    s = Settings.from_env({"NEWSFLOW_WORKERS": "3"}, workers=5, inbox=None)
    assert s.workers == 5 and s.inbox == Path("inbox")


@pytest.mark.parametrize("env, fragment", [
    ({"NEWSFLOW_WORKERS": "many"}, "NEWSFLOW_WORKERS"),
    ({"NEWSFLOW_WORKERS": "0"}, "workers"),
    ({"NEWSFLOW_LOG_FORMAT": "xml"}, "log_format"),
    ({"NEWSFLOW_REDIS_URL": "http://x"}, "redis://"),
    ({"NEWSFLOW_HIGH_WATER": "5", "NEWSFLOW_LOW_WATER": "10"}, "low_water"),
])
def test_bad_values_raise_clear_errors(env, fragment):
    """A bad value fails early with a ValueError naming the setting."""
    with pytest.raises(ValueError, match=fragment):
        Settings.from_env(env)


def test_as_env_round_trips():
    """Settings passed to child processes as variables come back equal."""
    s = Settings.from_env({"NEWSFLOW_WORKERS": "2", "NEWSFLOW_WATCH_POLLING": "1"})
    assert Settings.from_env(s.as_env()) == s


def _settings_classes():
    from newsflow.clean.settings import CleanSettings
    from newsflow.embed.settings import EmbedSettings
    from newsflow.fingerprint.signatures import FingerprintSettings
    from newsflow.placement.settings import IndexSettings
    from newsflow.tag.settings import TagSettings

    return (Settings, CleanSettings, TagSettings, FingerprintSettings, IndexSettings, EmbedSettings)


def _unread(cls, code: dict[Path, str]) -> list[str]:
    """Fields of a settings dataclass nothing reads: no `.name` anywhere, no `name=` outside its own module."""
    import dataclasses
    import inspect
    import re

    home = Path(inspect.getfile(cls)).resolve()
    out = []
    for f in dataclasses.fields(cls):
        attribute, keyword = re.compile(rf"\.{f.name}\b"), re.compile(rf"\b{f.name}=")
        if not any(attribute.search(text) or (p != home and keyword.search(text)) for p, text in code.items()):
            out.append(f"{cls.__name__}.{f.name}")
    return out


def test_every_setting_is_read_by_something():
    """Each field of each settings object is read somewhere in the code (a setting nothing reads is a lie)."""
    repo = Path(__file__).resolve().parent.parent
    code = {p.resolve(): p.read_text(encoding="utf-8")
            for folder in ("newsflow", "tasks", "workers") for p in (repo / folder).rglob("*.py")}
    assert [name for cls in _settings_classes() for name in _unread(cls, code)] == []
    import dataclasses

    @dataclasses.dataclass(frozen=True)
    class Made:
        never_read_anywhere_xyz: int = 1

    assert _unread(Made, code) == ["Made.never_read_anywhere_xyz"]
