"""Audits on Celery workers with a shared PostgreSQL history: the task (task.py),
what a worker does with it (work.py), the Celery adapter (app.py) and the
coordinator that sends and collects (coordinator.py)."""
