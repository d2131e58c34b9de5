"""The compose file is valid Compose and every service runs a command the CLI has."""

import json

import jsonschema
import pytest
import yaml

from workers.cli import build_parser
from tests.conftest import DATA, REPO

SCHEMA = DATA / "compose-spec.json"  # copy of shared/schemas/compose-spec.json


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_compose_matches_the_spec(compose):
    """docker-compose.yml validates against the Compose specification's JSON schema."""
    jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).validate(compose)


def test_services_and_scaling(compose):
    """redis (persistent, health-checked), watcher and a scalable worker share the image and volumes."""
    services = compose["services"]
    assert {"redis", "watcher", "worker"} <= set(services)
    redis = services["redis"]
    assert "--appendonly" in redis["command"] and "healthcheck" in redis
    assert any(v.endswith(":/data") for v in redis["volumes"])
    worker = services["worker"]
    assert "container_name" not in worker and "ports" not in worker  # --scale worker=N works
    assert any(v.endswith(":/data/results") for v in worker["volumes"])
    assert any(v.endswith(":/data/inbox") for v in services["watcher"]["volumes"])
    for name in ("watcher", "worker"):
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
        assert services[name]["environment"]["NEWSFLOW_REDIS_URL"].startswith("${NEWSFLOW_REDIS_URL:-redis://")
    dockerfile = REPO / services["worker"]["build"]["dockerfile"]
    assert dockerfile.exists()


def test_every_service_command_exists_in_the_cli(compose):
    """A service running `newsflow X ...` names a real subcommand and flags the CLI accepts."""
    parser = build_parser()
    checked = 0
    for name, service in compose["services"].items():
        command = service.get("command")
        if not command or command[0] != "newsflow":
            continue
        args = parser.parse_args(command[1:])  # exits (SystemExit) on an unknown command or flag
        assert args.command == command[1]
        checked += 1
    assert checked >= 2


def test_dockerfile_builds_the_console_script():
    """The image installs the locked dependencies (hash-checked), then the package without
    resolving anything more (so `newsflow` exists), and runs as a non-root user."""
    text = (REPO / "ops" / "deploy" / "Dockerfile").read_text()
    assert "COPY requirements.lock" in text
    assert "pip install --require-hashes --no-deps -r requirements.lock" in text
    assert "pip install --no-deps --no-build-isolation ." in text and "USER newsflow" in text
    for package in ("newsflow", "tasks", "workers"):
        assert f"COPY {package} " in text


def test_the_monitoring_profile_serves_metrics_and_mounts_files_that_exist(compose):
    """Profile `monitoring`: `newsflow metrics` on 0.0.0.0:9464 is what Prometheus scrapes; every
    file a service mounts from the repository exists, and so does every rule file Prometheus loads."""
    services = {n: s for n, s in compose["services"].items() if "monitoring" in s.get("profiles", [])}
    assert {"metrics", "prometheus", "grafana", "loki", "vector"} <= set(services)
    assert services["metrics"]["command"][:2] == ["newsflow", "metrics"]
    assert "redis" not in services and "profiles" not in compose["services"]["worker"]
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO / source).exists(), source
    prometheus = yaml.safe_load((REPO / "ops" / "deploy" / "prometheus" / "prometheus.yml").read_text())
    assert prometheus["scrape_configs"][0]["static_configs"][0]["targets"] == ["metrics:9464"]
    assert all((REPO / "ops" / "deploy" / "prometheus" / f).exists() for f in prometheus["rule_files"])


def test_the_ha_profile_is_a_replica_and_three_sentinels_watching_the_primary(compose):
    """Profile `ha`: a replica of `redis` (authenticating to it) and three sentinels monitoring
    `redis:6379` as group `newsflow` with a quorum of two; the newsflow services take the sentinel
    URL from NEWSFLOW_REDIS_URL, and that URL is one newsflow accepts."""
    from newsflow.redisurl import SentinelURL

    services = {n: s for n, s in compose["services"].items() if "ha" in s.get("profiles", [])}
    assert set(services) == {"redis-replica", "sentinel-1", "sentinel-2", "sentinel-3"}
    replica = services["redis-replica"]["command"]
    assert replica[replica.index("--replicaof") + 1:replica.index("--replicaof") + 3] == ["redis", "6379"]
    assert "--masterauth" in replica
    for name in ("sentinel-1", "sentinel-2", "sentinel-3"):
        script = services[name]["command"][0]
        assert "'sentinel monitor newsflow redis 6379 2'" in script and "valkey-sentinel" in script
    text = (REPO / "docker-compose.yml").read_text()
    example = next(line.split("#", 1)[1].strip() for line in text.splitlines() if "sentinel://" in line)
    url = SentinelURL.parse(example.replace("<password>", "secret"))
    assert url.master == "newsflow" and [h for h, _ in url.sentinels] == ["sentinel-1", "sentinel-2", "sentinel-3"]
