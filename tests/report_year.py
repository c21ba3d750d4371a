"""A year of discipline driven through the engine, shaped like Tiền Hải's year in the seeds:
147 members disciplined — 107 reprimands, 11 warnings, 6 dismissals, 23 expulsions.

Each case takes the fewest steps the rules allow: the branch's own finding (the
branch secretary opens it at self-review), its evidence, the member's
self-review and the branch's vote; a reprimand or a warning is then decided by
the branch; a dismissal or an expulsion goes up to the grassroots committee's
vote and is decided by the district's standing committee (Phúc Thắng may not
expel). Every step is :mod:`cases.actions` — the same calls the pages and the
API make — inside one app context."""

from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa

from tests.admission_flow import PDF, vote

TIEN_HAI = {"reprimand": 107, "warning": 11, "dismissal": 6, "expulsion": 23}
YEAR = 2025
REPORT = {"violation_date": "2024-12-01", "category": "party_activity",
          "description": "Không tham gia sinh hoạt chi bộ và không thực hiện nhiệm vụ được phân công."}


def add_members(session, unit_id: int, n: int, posts: int) -> list[tuple[int, int | None]]:
    """``n`` official members of the branch ``unit_id`` (one bulk insert), the first ``posts``
    of them deputy secretaries (a post a dismissal can take away): ``[(person_id, post_id)]``."""
    from core.enums import Education, Gender, PersonStatus
    from core.models import Person, Post
    from core.text import fold

    base = session.scalar(sa.select(sa.func.count()).select_from(Person)) + 1
    rows = []
    for i in range(n):
        name = f"Phạm Văn Kỷ {base + i}"
        rows.append({"full_name": name, "name_folded": fold(name), "date_of_birth": dt.date(1980, 1, 1),
                     "gender": Gender.male, "education": Education.upper_secondary, "national_id": f"0349{base + i:08d}", "unit_id": unit_id,
                     "status": PersonStatus.official, "admission_date": dt.date(2005, 1, 1),
                     "official_date": dt.date(2006, 1, 1), "joined_unit_on": dt.date(2010, 1, 1),
                     "party_card_number": f"34{base + i:07d}"})
    session.execute(sa.insert(Person), rows)
    ids = list(session.scalars(sa.select(Person.id).where(Person.national_id.in_([r["national_id"] for r in rows]))
                               .order_by(Person.id)))
    out = []
    for i, pid in enumerate(ids):
        post_id = None
        if i < posts:
            post = Post(person_id=pid, unit_id=unit_id, title="Phó bí thư chi bộ", committee_seat=False,
                        started_on=dt.date(2020, 1, 1))
            session.add(post)
            session.flush()
            post_id = post.id
        out.append((pid, post_id))
    session.commit()
    return out


def _user(session, username):
    from core.models import User

    return session.scalar(sa.select(User).where(User.username == username))


def discipline(session, upload_dir: str, clock_file, person_id: int, form: str, day: dt.date,
               post_id: int | None = None) -> int:
    """One member's case, opened on ``day`` (the clock is moved there), from the branch's own
    finding to ``decided`` with ``form``, the votes and decision dated ``day``; returns the case id."""
    clock_file.write_text(f"{day.isoformat()}T03:00:00Z")
    from cases import actions
    from cases.documents import add_document

    secretary, committee, standing = (_user(session, u) for u in ("bithu.trung", "danguy.phucthang",
                                                                   "thuongvu.nghiahung"))
    case = actions.open_case(session, secretary, "discipline", person_id, dict(REPORT), state="self_review")
    session.commit()
    add_document(session, secretary, case, kind="evidence", filename="bien-ban.pdf", stream=io.BytesIO(PDF),
                 issued_on=dt.date(2024, 12, 5), upload_dir=upload_dir, max_bytes=1 << 20)
    session.commit()

    def act(user, action, **payload):
        session.refresh(case)
        return actions.take_action(session, user, case, action, payload)

    act(secretary, "record_self_review", submitted="yes", self_criticism="Tôi nhận khuyết điểm.")
    iso = day.isoformat()
    post = {"post_id": post_id} if post_id else {}
    if form in ("reprimand", "warning"):
        act(secretary, "record_branch_vote", resolution_number="12-NQ/CB", proposed_form=form, **vote(iso, 10, 10, 9, 1))
    else:
        act(secretary, "record_branch_vote", resolution_number="12-NQ/CB", proposed_form=form, **post,
            **vote(iso, 10, 10, 8, 2))
        act(committee, "record_grassroots_vote", resolution_number="7-NQ/ĐU", proposed_form=form, **post,
            **vote(iso, 9, 9, 8, 1))
        act(standing, "decide", final_form=form, decision_number="45-QĐ/HU", decision_date=iso, **post,
            **vote(iso, 15, 14, 12, 2))
    session.refresh(case)
    assert case.state == "decided", (form, case.state)
    return case.id


def tien_hai_year(app, demo, clock_file) -> list[int]:
    """Drive the 147 cases of :data:`TIEN_HAI` into thôn Trung (Huyện ủy Nghĩa Hưng), decided
    through :data:`YEAR` (a form's cases spread over the months); returns the case ids."""
    from app.extensions import db

    clock_file.write_text(f"{YEAR}-12-30T03:00:00Z")
    total = sum(TIEN_HAI.values())
    with app.app_context():
        people = add_members(db.session, demo.units["trung"].id, total, TIEN_HAI["dismissal"])
        forms = ["dismissal"] * TIEN_HAI["dismissal"] + [f for f, n in TIEN_HAI.items() if f != "dismissal"
                                                         for _ in range(n)]
        ids = []
        for i, ((pid, post_id), form) in enumerate(zip(people, forms)):
            day = dt.date(YEAR, 1 + i % 12, 10 + i % 15)
            ids.append(discipline(db.session, app.config["UPLOAD_DIR"], clock_file, pid, form, day,
                                  post_id if form == "dismissal" else None))
    clock_file.write_text(f"{YEAR}-12-30T03:00:00Z")
    return ids
