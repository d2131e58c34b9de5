"""Tests of tasks.app: the Celery configuration's safety and delivery settings."""

from newsflow.keys import Keys
from newsflow.settings import Settings
from tasks.app import PROCESS_ARTICLE, celery_config, make_app


def test_json_only_late_acks_and_requeue_on_worker_loss():
    """JSON is the only accepted content; acks are late; a lost worker's message is requeued."""
    conf = celery_config(Settings.from_env({}), "redis://localhost:6379/0")
    assert conf["accept_content"] == ["json"] and conf["task_serializer"] == "json"
    assert conf["result_accept_content"] == ["json"] and conf["event_serializer"] == "json"
    assert conf["task_acks_late"] and conf["task_reject_on_worker_lost"]
    assert conf["worker_prefetch_multiplier"] == 1 and conf["task_ignore_result"]


def test_broker_keys_live_under_the_prefix_and_timeout_is_configurable():
    """kombu's keys share newsflow's prefix; the visibility timeout comes from the settings."""
    s = Settings.from_env({"NEWSFLOW_KEY_PREFIX": "nf", "NEWSFLOW_VISIBILITY_TIMEOUT": "90",
                           "NEWSFLOW_ARTICLE_TIME_LIMIT": "50"})
    conf = celery_config(s, "redis://localhost:6379/0")
    opts = conf["broker_transport_options"]
    assert opts["global_keyprefix"] == Keys("nf").celery_prefix() == "nf:celery:"
    assert opts["visibility_timeout"] == 90
    assert conf["task_time_limit"] == 50 + 30 < 90  # a stuck process is killed before redelivery


def test_a_time_limit_that_outlives_the_visibility_timeout_is_refused():
    """A budget within 30 s of the visibility timeout would let a running article be delivered twice."""
    import pytest

    with pytest.raises(ValueError, match="NEWSFLOW_ARTICLE_TIME_LIMIT"):
        Settings.from_env({"NEWSFLOW_VISIBILITY_TIMEOUT": "90", "NEWSFLOW_ARTICLE_TIME_LIMIT": "61"})


def test_task_names_are_registered():
    """The app the worker runs knows the article tasks by their stable names."""
    app = make_app(Settings.from_env({}), "redis://localhost:6379/0")
    app.loader.import_default_modules()
    assert PROCESS_ARTICLE in app.tasks


def test_task_events_are_on_unless_turned_off():
    """Workers and the watcher send task events by default (Flower, `celery events`); the setting
    turns both off."""
    on = celery_config(Settings.from_env({}), "redis://localhost:6379/0")
    off = celery_config(Settings.from_env({"NEWSFLOW_TASK_EVENTS": "0"}), "redis://localhost:6379/0")
    assert on["worker_send_task_events"] and on["task_send_sent_event"]
    assert not off["worker_send_task_events"] and not off["task_send_sent_event"]


def test_a_pool_process_is_replaced_after_its_article_quota():
    """A pool process is forked afresh after NEWSFLOW_MAX_ARTICLES_PER_PROCESS articles (10,000 by
    default); 0 never replaces it; a negative quota is refused, naming the variable."""
    import pytest

    assert celery_config(Settings.from_env({}), "redis://h:1/0")["worker_max_tasks_per_child"] == 10_000
    s = Settings.from_env({"NEWSFLOW_MAX_ARTICLES_PER_PROCESS": "0"})
    assert celery_config(s, "redis://h:1/0")["worker_max_tasks_per_child"] is None
    with pytest.raises(ValueError, match="NEWSFLOW_MAX_ARTICLES_PER_PROCESS"):
        Settings.from_env({"NEWSFLOW_MAX_ARTICLES_PER_PROCESS": "-1"})
