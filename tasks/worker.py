"""Entry point for workers: ``celery -A tasks.worker worker -B``."""

from app import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
