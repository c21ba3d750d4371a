"""The one permission rule: pages answer 404 outside the user's scope, and the
SQL filter lists exactly what ``can_view`` allows."""

import sqlalchemy as sa

from core.models import Person, Unit, User
from core.permissions import can_view, visible


def _ids(demo):
    u = demo.units
    tdp4_person = demo.people["tdp4"][0].id
    trung_person = demo.people["trung"][0].id
    return u, tdp4_person, trung_person


def test_rule__organisation__a_role_sees_its_unit_and_the_units_below(client, auth, demo):
    units, tdp4_person, trung_person = _ids(demo)
    auth.login("bithu.trung")
    assert client.get(f"/units/{units['trung'].id}").status_code == 200
    assert client.get(f"/people/{trung_person}").status_code == 200
    for path in (f"/units/{units['tdp4'].id}", f"/people/{tdp4_person}", f"/units/{units['locvuong'].id}",
                 f"/units/{units['dong'].id}", f"/units/{units['nghiahung'].id}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Chi bộ tổ dân phố số 4" not in response.get_data(as_text=True)
    # an id that does not exist looks the same
    assert client.get("/units/999999").status_code == 404


def test_rule__organisation__auditor_reads_the_units_below(client, auth, demo):
    units, tdp4_person, trung_person = _ids(demo)
    auth.login("thanhtra.tinh")
    for path in (f"/units/{units['tdp4'].id}", f"/people/{tdp4_person}", f"/units/{units['trung'].id}",
                 f"/people/{trung_person}", f"/units/{units['nghiahung'].id}", f"/units/{units['thanhpho'].id}"):
        assert client.get(path).status_code == 200, path
    page = client.get(f"/units/{units['tinh'].id}").get_data(as_text=True)
    assert "Huyện ủy Nghĩa Hưng" in page and "Thành ủy Nam Định" in page


def test_scope__sql_filter_matches_can_view(app, demo):
    from app.extensions import db

    with app.app_context():
        session = db.session
        everyone = session.scalars(sa.select(Person)).all()
        for username in ("bithu.trung", "danguy.phucthang", "thanhtra.tinh", "bithu.tdp4", "thuongvu.thanhpho"):
            user = session.scalar(sa.select(User).where(User.username == username))
            listed = set(session.scalars(
                sa.select(Person.id).join(Unit, Unit.id == Person.unit_id).where(visible(user, Unit.path, session))
            ))
            expected = {p.id for p in everyone if can_view(user, p, session)}
            assert listed == expected, username
            assert listed, username
        trung = session.scalar(sa.select(User).where(User.username == "bithu.trung"))
        auditor = session.scalar(sa.select(User).where(User.username == "thanhtra.tinh"))
        trung_visible = set(session.scalars(
            sa.select(Person.id).join(Unit, Unit.id == Person.unit_id).where(visible(trung, Unit.path, session))))
        assert trung_visible == {p.id for p in demo.people["trung"]}
        auditor_visible = set(session.scalars(
            sa.select(Person.id).join(Unit, Unit.id == Person.unit_id).where(visible(auditor, Unit.path, session))))
        assert auditor_visible == {p.id for p in everyone}


def test_scope__anonymous_sees_nothing(client, demo):
    response = client.get(f"/units/{demo.units['trung'].id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
