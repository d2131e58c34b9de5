"""The processes of a deployment: Celery worker runtime, watcher, and the `up` supervisor."""
