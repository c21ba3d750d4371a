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
    """The dashboard: the user's inbox and overdue counts, and the summary of this year's report
    of their highest unit (with a link to the full report)."""
    from cases import queries
    from cases.reports import Period, summary
    from core import clock

    from .reports import highest_unit

    assignments = roles_of(db.session, current_user)
    unit = highest_unit(current_user)
    counts = None
    if unit is not None:
        counts = summary(db.session, current_user, unit, Period.year(clock.today().year),
                         only={"members", "admissions", "discipline", "removals", "overdue"})
    return render_template("main/index.html", assignments=assignments, unit=unit, counts=counts,
                           dash_inbox=queries.inbox_count(db.session, current_user),
                           dash_overdue=queries.overdue_count(db.session, current_user))


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


@bp.route("/people")
@login_required
def people_list():
    """The people in scope, by name, filtered by unit subtree and status (a report's drill-down
    lands here); keyset-paginated; 400 for a malformed cursor or an unknown status."""
    from cases.cursor import BadCursor
    from cases.people import list_people
    from core.enums import PersonStatus

    from .edge import arg_int

    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in PersonStatus}:
        abort(400)
    unit_id = arg_int("unit")
    unit = get_visible_or_404(Unit, unit_id) if unit_id else None
    try:
        rows, next_cursor = list_people(db.session, current_user, q=request.args.get("q") or None, status=status,
                                        unit=unit, cursor=request.args.get("cursor"))
    except BadCursor:
        abort(400)
    # The rows' units in one statement: each row's ``unit`` then comes from the identity map (no N+1).
    db.session.scalars(sa.select(Unit).where(Unit.id.in_({p.unit_id for p in rows}))).all()
    from .list_exports import people_xlsx, wants_xlsx

    if wants_xlsx():
        return people_xlsx(rows)
    return render_template("main/people.html", rows=rows, next_cursor=next_cursor, unit=unit, status=status)


@bp.route("/people/<int:person_id>")
@login_required
def person(person_id: int):
    return person_page(get_visible_or_404(Person, person_id, in_transit=True))
