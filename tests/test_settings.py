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
