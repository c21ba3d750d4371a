"""Login and logout pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from core.models import User
from core.passwords import DUMMY_HASH, verify_password
from forms.admin import PasswordChangeForm
from forms.auth import LoginForm

from .extensions import db
from .redirects import safe_redirect
from .throttle import credential_limits

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@credential_limits
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(sa.select(User).where(User.username == form.username.data.strip()))
        if user is None:
            verify_password(DUMMY_HASH, form.password.data)  # same time as a wrong password
        elif user.active and user.check_password(form.password.data):
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            login_user(user)
            if user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return safe_redirect(request.args.get("next"))
        form.password.errors.append(_("Wrong username or password."))
        return render_template("auth/login.html", form=form), 401
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    lang = session.get("lang")
    user = current_user._get_current_object()
    logout_user()
    user.end_sessions()  # every session of this user, on every device (docs/DECISIONS.md)
    db.session.commit()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


# Pages a user with a one-time password may still open (everything else sends them to change it).
OPEN_WITH_ONE_TIME_PASSWORD = {"auth.change_password", "auth.logout", "auth.login", "main.set_language", "static"}


@bp.before_app_request
def one_time_password_first():
    """A user logged in with a one-time password (a new account, a reset) must
    choose their own before any other page."""
    if (current_user.is_authenticated and getattr(current_user, "must_change_password", False)
            and request.endpoint not in OPEN_WITH_ONE_TIME_PASSWORD and not request.path.startswith("/api/")):
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Choose a new password (required after a one-time password). Every other
    session of the user ends; this one continues with the new password."""
    form = PasswordChangeForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        user = current_user._get_current_object()
        if not user.check_password(form.current_password.data):
            form.current_password.errors = [_("The current password is wrong.")]
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors = [_("Choose a password different from the current one.")]
        else:
            user.set_password(form.new_password.data)  # ends every session (User.end_sessions)
            user.must_change_password = False
            db.session.commit()
            login_user(user)  # this session, with the new session version
            flash(_("Your password was changed."), "success")
            return redirect(url_for("main.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form,
                           required=bool(current_user.must_change_password)), status
