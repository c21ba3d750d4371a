"""Settings classes. Every setting can be overridden by an environment
variable of the same name; nothing is read at import time of the app package,
only when :func:`app.create_app` builds the config."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

DEFAULT_SECRET_KEY = "dev-only-not-secret"  # production refuses to start with it


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = DEFAULT_SECRET_KEY
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'app.db'}"
    CELERY_BROKER_URL = f"sqla+sqlite:///{VAR_DIR / 'celery-broker.db'}"
    CELERY_RESULT_BACKEND = ""  # results are not needed; tasks record their effects
    CELERY_TASK_ALWAYS_EAGER = False
    UPLOAD_DIR = str(VAR_DIR / "uploads")
    MAX_UPLOAD_MB = 10
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "10 per minute"  # failed sign-ins per client address, page and API together
    LOGIN_ACCOUNT_RATE_LIMIT = "5 per minute"  # failed sign-ins per account, page and API together
    API_TOKEN_HOURS = 12
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = "vi,en"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # HTTPS (app/security.py): redirect http to https, and the HSTS max-age (0 = no header).
    FORCE_HTTPS = False
    HSTS_SECONDS = 0
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # A file holding an ISO datetime (UTC) or an offset like "+400d": when set,
    # the app's clock reads it (tests move time; never set in production).
    CLOCK_FILE = ""
    HEARTBEAT_SECONDS = 60.0
    TIMER_POLL_SECONDS = 30.0
    # The Ed25519 key (PEM file, outside the database) that signs audit
    # checkpoints and MACs every audit event. Development creates it when
    # missing (scripts/run does on first start); production refuses to start
    # without it; empty = a throw-away key held in memory (tests only).
    AUDIT_SIGNING_KEY = str(VAR_DIR / "audit-signing-key.pem")
    # The signed checkpoint log (JSON lines): copy it elsewhere, it proves the history.
    AUDIT_CHECKPOINT_LOG = str(VAR_DIR / "audit-checkpoints.jsonl")
    AUDIT_CHECKPOINT_SECONDS = 600.0
    # Processes for flask audit verify --full (0 = one per CPU).
    AUDIT_VERIFY_WORKERS = 0
    # A grassroots organisation with more branches than this has its grading rounds opened by a
    # Celery task (the page then shows the progress); fewer are opened within the request.
    GRADING_SYNC_BRANCHES = 30
    # Notifications (issue 19). Email over SMTP through Flask-Mail; with no MAIL_SERVER
    # every message is written to MAIL_FOLDER as one .eml file instead.
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS
    MAIL_USE_SSL = False  # SMTP over TLS from the start
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_DEFAULT_SENDER = "Quản lý hồ sơ đảng viên <no-reply@localhost>"
    MAIL_SUPPRESS_SEND = False
    MAIL_TIMEOUT = 30.0  # seconds to wait for the SMTP server before trying again later
    MAIL_FOLDER = str(VAR_DIR / "mail")
    # The address the emails link to (the app as its users reach it).
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # Reminders when a deadline is this many working days away (comma-separated).
    NOTIFY_REMINDER_DAYS = "5,1"
    # How often the worker's beat scans for new notifications and emails to send.
    NOTIFY_POLL_SECONDS = 30.0
    # The daily digests go out from this local (Vietnam) hour on.
    NOTIFY_DIGEST_HOUR = 7
    # A refused email is tried again after this many seconds, doubling each time up to the cap.
    NOTIFY_RETRY_SECONDS = 30.0
    NOTIFY_RETRY_MAX_SECONDS = 3600.0
    # An email handed to a sender is not handed out again before this many seconds.
    NOTIFY_LEASE_SECONDS = 600.0
    # With tasks run eagerly (no worker): create a write's notifications before it answers.
    NOTIFY_SCAN_AFTER_WRITE = False
    ENV_NAME = "base"

    # Typed conversion for environment overrides.
    _BOOLS = {"CELERY_TASK_ALWAYS_EAGER", "SESSION_COOKIE_SECURE", "WTF_CSRF_ENABLED",
              "SESSION_COOKIE_HTTPONLY", "REMEMBER_COOKIE_HTTPONLY", "FORCE_HTTPS",
              "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_SUPPRESS_SEND", "NOTIFY_SCAN_AFTER_WRITE"}
    _INTS = {"MAX_UPLOAD_MB", "WTF_CSRF_TIME_LIMIT", "API_TOKEN_HOURS", "HSTS_SECONDS", "AUDIT_VERIFY_WORKERS",
             "GRADING_SYNC_BRANCHES", "MAIL_PORT", "NOTIFY_DIGEST_HOUR"}
    _FLOATS = {"HEARTBEAT_SECONDS", "TIMER_POLL_SECONDS", "AUDIT_CHECKPOINT_SECONDS", "NOTIFY_POLL_SECONDS",
               "NOTIFY_RETRY_SECONDS", "NOTIFY_RETRY_MAX_SECONDS", "NOTIFY_LEASE_SECONDS", "MAIL_TIMEOUT"}

    @classmethod
    def as_dict(cls) -> dict:
        """The class settings with environment overrides applied."""
        out = {}
        for key in dir(cls):
            if not key.isupper() or key.startswith("_"):
                continue
            value = getattr(cls, key)
            env = os.environ.get(key)
            if env is not None:
                if key in cls._BOOLS:
                    value = _bool(env)
                elif key in cls._INTS:
                    value = int(env)
                elif key in cls._FLOATS:
                    value = float(env)
                else:
                    value = env
            out[key] = value
        out["SQLALCHEMY_DATABASE_URI"] = out["DATABASE_URL"]
        # Room for an oversized file to reach the view, which refuses it with a clear message.
        out["MAX_CONTENT_LENGTH"] = (out["MAX_UPLOAD_MB"] * 2 + 1) * 1024 * 1024
        out["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=8)
        return out


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    DATABASE_URL = "sqlite://"
    CELERY_TASK_ALWAYS_EAGER = True
    NOTIFY_SCAN_AFTER_WRITE = True
    AUDIT_SIGNING_KEY = ""
    AUDIT_CHECKPOINT_LOG = ""


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = True
    HSTS_SECONDS = 365 * 24 * 3600
    RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/1"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None) -> dict:
    name = name or os.environ.get("APP_ENV", "development")
    try:
        cls = CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"unknown APP_ENV {name!r}; use one of {sorted(CONFIGS)}") from None
    return cls.as_dict()
