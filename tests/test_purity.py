"""The stages are pure: importable and runnable with Celery, Redis, watchdog and the filesystem blocked."""

import subprocess
import sys
import textwrap

PROBE = textwrap.dedent("""
    import builtins, io, os, sys
    for name in ("celery", "kombu", "redis", "valkey", "watchdog", "billiard"):
        sys.modules[name] = None  # any import of these now raises ImportError
    data = open(sys.argv[1], "rb").read()
    from newsflow.clean import clean
    from newsflow.fingerprint import fingerprint
    from newsflow.tag import load_model, tag
    from newsflow.values import Document
    model = load_model()
    def no_files(*a, **k):
        raise AssertionError(f"a stage touched the filesystem: {a!r}")
    builtins.open = io.open = os.open = no_files
    cleaned = clean(Document(name="seed.txt", data=data))
    tags = tag(cleaned, model)
    fp = fingerprint(cleaned, tags)
    blocked = [m for m in ("celery", "kombu", "redis", "watchdog") if sys.modules.get(m) is not None]
    print(len(cleaned.paragraphs), len(tags.entities), fp.content_sha256[:8], blocked)
""")


def test_stages_run_without_service_modules_or_filesystem(seeds):
    """clean -> tag -> fingerprint on a seed, in a process where the service modules cannot import."""
    out = subprocess.run([sys.executable, "-c", PROBE, str(seeds[0])], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    paragraphs, entities, sha, blocked = out.stdout.split(maxsplit=3)
    assert int(paragraphs) > 3 and int(entities) > 3
    assert len(sha) == 8 and blocked.strip() == "[]"
