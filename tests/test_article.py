"""The article task (tasks.article.process_article), its body run in this process on a real
Valkey: while Redis refuses writes the task waits in place within its time limit; past that it
lets the article go to the sweep (no result, still pending, nothing failed), because no message
can be queued or put back meanwhile."""

import pytest
from structlog.testing import capture_logs

from newsflow.settings import TIME_LIMIT_GRACE, Settings
from newsflow.store import Store
from tasks import article
from tasks.app import app, configure
from tests.test_pipeline import admit


@pytest.fixture
def configured(redis_server, keys, tmp_path):
    """tasks.app pointed at the test's server and key prefix (as `newsflow worker` points it), its
    time limit put back and its pipeline dropped afterwards."""
    settings = Settings.from_env({"NEWSFLOW_KEY_PREFIX": keys.prefix, "NEWSFLOW_RESULTS": str(tmp_path)})
    configure(settings, redis_server)
    article.forget_pipeline()
    yield settings
    app.conf.task_time_limit = settings.article_time_limit + TIME_LIMIT_GRACE
    article.forget_pipeline()


def test_writes_refused_past_the_time_limit_leave_the_article_to_the_sweep(configured, redis_client, keys,
                                                                              seeds):
    """With writes refused (maxmemory 1) and a time limit that leaves little room to wait, the
    task returns after article_left_to_sweep naming memory: no record, the article still pending
    (the sweep's to queue again), none failed."""
    store = Store(redis_client, keys)
    aid = admit(store, seeds[0].name, seeds[0].read_bytes())
    app.conf.task_time_limit = article.HARD_LIMIT_MARGIN + 1.5  # room for one 1 s wait, not for two
    limit = redis_client.config_get("maxmemory")["maxmemory"]
    redis_client.config_set("maxmemory", 1)
    try:
        with capture_logs() as logs:
            assert article.process_article.run(aid) is None
    finally:
        redis_client.config_set("maxmemory", limit)
    events = [e for e in logs if e["event"] in ("article_retry", "article_left_to_sweep")]
    assert events[-1]["event"] == "article_left_to_sweep" and "memory" in events[-1]["cause"]
    assert all(e["in_place"] for e in events[:-1]) and len(events) <= 2
    assert store.record(aid) is None
    assert redis_client.zscore(keys.pending(), aid) is not None
    assert store.stats()["failed"] == 0
