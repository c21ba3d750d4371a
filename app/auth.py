"""Login and logout pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from core.models import User
from core.passwords import DUMMY_HASH, verify_password
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
