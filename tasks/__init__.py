"""Celery app and tasks: thin adapters from broker messages to newsflow's pipeline."""
