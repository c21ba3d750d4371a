"""Real Celery worker fixtures (owned by the workflow engine work)."""
