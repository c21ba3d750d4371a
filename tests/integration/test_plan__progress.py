"""Annual admission plans: progress is counted live from admission decisions
(never typed in); organisations that admitted no one are listed."""

import pytest

from tests.admission_flow import Pages
from tests.candidacy_flow import CandidacyFlow, en


@pytest.fixture
def flow(app, demo, clock_file):
    return CandidacyFlow(app, demo, clock_file).at("2026-11-20")


def save(flow, username, unit_key, year=2026, **data):
    from app.extensions import db
    from cases.candidacy import plans

    data.setdefault("target", 3)
    return plans.save_plan(db.session, flow.user(username), flow.demo.units[unit_key].id, year, data)


def row(flow, unit_key, root="nghiahung", year=2026, username="tochuc.nghiahung"):
    from app.extensions import db
    from cases.candidacy import plans

    db.session.expire_all()
    report = plans.report(db.session, flow.user(username), flow.demo.units[root].id, year)
    return next(r for r in report.rows if r.unit.id == flow.demo.units[unit_key].id), report


def test_plan__progress_changes_only_when_an_admission_is_decided(app, flow):
    with en(app):
        save(flow, "tochuc.nghiahung", "phucthang", target=2, target_youth_union=1, target_women=1)
        r, _ = row(flow, "phucthang")
        assert (r.target, r.admitted, r.pipeline["dossier"]) == (2, 0, 0)

        first, second, third, fourth = flow.candidates()
        nominated = flow.nominate(third)
        r, _ = row(flow, "phucthang")
        assert (r.admitted, r.pipeline["nominated"]) == (0, 1)
        flow.act(nominated, "approve_training", "danguy.phucthang")
        r, _ = row(flow, "phucthang")
        assert (r.pipeline["nominated"], r.pipeline["in_training"]) == (0, 1)

        case_id = flow.open(first)
        r, _ = row(flow, "phucthang")
        assert (r.admitted, r.pipeline["dossier"]) == (0, 1)
        flow.to_branch_vote(case_id)
        r, _ = row(flow, "phucthang")
        assert r.admitted == 0  # steps before the decision change nothing
        assert flow.admit(case_id, decision_date="2026-11-18").to_state == "awaiting_ceremony"
        r, _ = row(flow, "phucthang")
        assert (r.admitted, r.pipeline["dossier"], r.percent) == (1, 0, 50)
        assert r.admitted_by_group["youth_union"] == 1  # the first demo candidate is a Youth Union member

        # A refusal is not an admission.
        other = flow.open(second)
        flow.to_branch_vote(other)
        from tests.admission_flow import vote

        flow.act(other, "record_branch_vote", "bithu.trung", **vote("2026-11-10", 10, 10, 9, 1))
        flow.act(other, "record_grassroots_vote", "danguy.phucthang", **vote("2026-11-12", 9, 9, 8, 1))
        flow.act(other, "appraise", "tochuc.nghiahung", appraisal="Xem xét.")
        flow.act(other, "decide_refuse", "thuongvu.nghiahung", decision_number="10-QĐ/HU",
                 decision_date="2026-11-19", reason="Chưa đủ tiêu chuẩn.")
        r, _ = row(flow, "phucthang")
        assert r.admitted == 1
        # Counted in the year of the decision only.
        assert row(flow, "phucthang", year=2025)[0].admitted == 0
        assert row(flow, "phucthang", year=2027)[0].admitted == 0


def test_plan__organisation_with_a_plan_and_no_admission_is_listed(app, flow, client, auth):
    with en(app):
        save(flow, "thuongvu.tinh", "phucthang", target=2)
        save(flow, "thuongvu.tinh", "locvuong", target=4)
        _, report = row(flow, "phucthang", root="tinh", username="thuongvu.tinh")
        assert {r.unit.name for r in report.admitted_no_one} == {"Đảng ủy xã Phúc Thắng", "Đảng ủy phường Lộc Vượng"}
        flow.admit(flow.open(flow.candidates()[0]))
        _, report = row(flow, "phucthang", root="tinh", username="thuongvu.tinh")
        assert [r.unit.name for r in report.admitted_no_one] == ["Đảng ủy phường Lộc Vượng"]
        assert report.as_dict()["admitted_no_one"] == [{"id": flow.demo.units["locvuong"].id,
                                                        "name": "Đảng ủy phường Lộc Vượng", "has_plan": True}]
    Pages(client, auth).as_user("thuongvu.tinh")
    html = client.get(f"/candidacy/plans?unit={flow.demo.units['tinh'].id}&year=2026").get_data(as_text=True)
    section = html[html.index('data-testid="admitted-no-one"'):]
    assert "Đảng ủy phường Lộc Vượng" in section and "Phúc Thắng" not in section


def test_plan__set_through_the_page(app, flow, client, auth, demo):
    pages = Pages(client, auth).as_user("tochuc.nghiahung")
    url = f"/candidacy/plans/{demo.units['phucthang'].id}/2026"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"csrf_token": pages.token(url), "target": "3", "target_women": "5"})
    assert response.status_code == 422  # a group's target above the total
    response = client.post(url, data={"csrf_token": pages.token(url), "target": "3", "target_women": "1",
                                      "target_village_heads": "1"})
    assert response.status_code == 302
    html = client.get(f"/candidacy/plans?unit={demo.units['nghiahung'].id}&year=2026").get_data(as_text=True)
    assert f'data-unit="{demo.units["phucthang"].id}" data-admitted="0" data-target="3"' in html
    # A branch secretary sets no plan.
    pages.as_user("bithu.trung")
    assert client.get(url).status_code == 404  # the grassroots organisation is above their scope
