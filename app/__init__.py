"""The application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user

from config import DEFAULT_SECRET_KEY, load_config

from .extensions import babel, csrf, db, limiter, login_manager, migrate

BASE_DIR = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app. ``config`` is a dict of overrides applied on top of the
    config its ``APP_ENV`` names (else the environment's, default development)."""
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
    )
    config = config or {}
    settings = load_config(config.get("APP_ENV"))
    settings.update(config)
    if "DATABASE_URL" in config and "SQLALCHEMY_DATABASE_URI" not in config:
        settings["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    app.config.from_mapping(settings)

    if app.config["ENV_NAME"] == "production" and app.config["SECRET_KEY"] in ("", DEFAULT_SECRET_KEY):
        raise RuntimeError("SECRET_KEY must be set to a secret value in production")

    _prepare_dirs(app)
    _init_edge(app)
    _init_extensions(app)
    _init_security(app)
    _init_clock(app)
    from .audit_setup import init_audit
    from .audit_views import bp as audit_bp

    init_audit(app)
    app.register_blueprint(audit_bp)
    from .notifications import init_notifications

    init_notifications(app)
    _register_blueprints(app)
    _register_cli(app)

    from tasks import celery_init_app

    celery_init_app(app)
    return app


def _prepare_dirs(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and uri != "sqlite://":
        Path(uri[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    broker = app.config["CELERY_BROKER_URL"]
    if broker.startswith("sqla+sqlite:///"):
        Path(broker[len("sqla+sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    if uri.startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})


def _init_edge(app: Flask) -> None:
    from .edge import init_edge

    init_edge(app)  # before any route: <int:...> is the 32-bit converter


def _init_security(app: Flask) -> None:
    from .security import init_security

    init_security(app)


def _init_clock(app: Flask) -> None:
    from flask_babel import gettext

    from core import clock
    from workflow import i18n

    clock.set_clock_file(app.config.get("CLOCK_FILE") or None)
    i18n.set_translator(gettext)


def _select_locale():
    languages = [lang.strip() for lang in str(_config("LANGUAGES", "vi,en")).split(",")]
    if not has_request_context():  # a Celery task: the default language
        return languages[0]
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(languages) or languages[0]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return languages[0]


def _config(key, default=None):
    from flask import current_app

    return current_app.config.get(key, default)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(BASE_DIR / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself
    login_manager.session_protection = "strong"

    from core.models import User

    @login_manager.user_loader
    def load_user(user_id: str):
        # "<id>:<session_version>" (User.get_id): a session opened before the
        # user's sessions were ended (logout, password change, disabling) is refused.
        uid, _sep, version = str(user_id).partition(":")
        try:
            user = db.session.get(User, int(uid))
            version = int(version)
        except (TypeError, ValueError, OverflowError):
            return None
        if user is None or not user.active or user.session_version != version:
            return None
        return user

    @app.context_processor
    def _inject():
        from flask_babel import get_locale

        from app import labels
        from core.permissions import roles_of

        roles = roles_of(db.session, current_user) if current_user.is_authenticated else []
        return {"my_roles": roles, "labels": labels, "current_locale": str(get_locale())}


def _register_blueprints(app: Flask) -> None:
    from cases.registry import load_all
    from cases.views import bp as cases_bp

    from .auth import bp as auth_bp
    from .errors import register_error_handlers
    from .people import bp as people_bp
    from .views import bp as main_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(people_bp)
    from .admin import bp as admin_bp
    from .imports import bp as imports_bp
    from .registry_pages import bp as registry_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(registry_bp)
    from .reports import bp as reports_bp

    app.register_blueprint(reports_bp)
    app.register_blueprint(cases_bp)
    from .printing import bp as printing_bp

    app.register_blueprint(printing_bp)
    from cases.candidacy.views import bp as candidacy_bp

    app.register_blueprint(candidacy_bp)
    from cases.grading.views import bp as grading_bp

    app.register_blueprint(grading_bp)
    load_all()
    from api.wiring import init_api

    init_api(app)
    register_error_handlers(app)

    from .templating import init_templating

    init_templating(app)


def _register_cli(app: Flask) -> None:
    from .cli import register_cli

    register_cli(app)
