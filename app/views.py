"""Home, org tree and people pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request, session
from flask_login import current_user, login_required

from core.models import Person, Unit
from core.permissions import roles_of

from .extensions import db
from .loaders import get_visible_or_404
from .people import person_page
from .redirects import safe_redirect

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index():
    assignments = roles_of(db.session, current_user)
    return render_template("main/index.html", assignments=assignments)


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    languages = [lang.strip() for lang in current_app.config["LANGUAGES"].split(",")]
    if code not in languages:
        abort(404)
    session["lang"] = code
    if current_user.is_authenticated and current_user.language != code:
        current_user.language = code  # the language of their notification emails too
        db.session.commit()
    return safe_redirect(request.form.get("next") or request.args.get("next"))


@bp.route("/units/<int:unit_id>")
@login_required
def unit(unit_id: int):
    unit = get_visible_or_404(Unit, unit_id)
    children = db.session.scalars(sa.select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.name)).all()
    people = db.session.scalars(
        sa.select(Person).where(Person.unit_id == unit.id).order_by(Person.status, Person.name_folded)
    ).all()
    counts = dict(
        db.session.execute(
            sa.select(Person.status, sa.func.count())
            .join(Unit, Unit.id == Person.unit_id)
            .where(Unit.path.startswith(unit.path))
            .group_by(Person.status)
        ).all()
    )
    from core.permissions import REGISTER_PERSON, allows

    from .registry_pages import is_branch

    may_register = is_branch(unit) and allows(db.session, current_user, REGISTER_PERSON, unit)
    return render_template("main/unit.html", unit=unit, children=children, people=people, counts=counts,
                           may_register=may_register)


@bp.route("/people/<int:person_id>")
@login_required
def person(person_id: int):
    return person_page(get_visible_or_404(Person, person_id, in_transit=True))
