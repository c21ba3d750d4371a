"""The transfer and exemption processes through the JSON API (API.md: the same calls as every process)."""

from __future__ import annotations

from tests.demo_people import TODAY, plain_member


def open_body(demo, person_id, **override):
    body = {"type": "transfer", "person_id": person_id, "kind": "official", "grounds": "Chuyển nơi cư trú.",
            "moved_on": "2026-11-18", "destination_unit_id": demo.units["tdp4"].id, "dues_paid_to": "2026-11-01"}
    body.update(override)
    return body


def test_api__transfer_in_transit_reaches_the_destination_inbox(api, demo):
    member, neighbour = plain_member(demo), plain_member(demo, 4)
    created = api.as_user("bithu.trung").post("/cases", json=open_body(demo, member.id))
    assert created.status_code == 201, created.get_json()
    case = created.get_json()
    assert case["type"] == "transfer" and case["state"] == "requested"
    assert {a["name"] for a in case["available_actions"]} == {"confirm", "cancel"}
    assert api.act(case["id"], "confirm", {}).status_code == 200
    api.as_user("bithu.tdp4")
    assert api.get(f"/cases/{case['id']}").status_code == 404
    assert api.as_user("danguy.phucthang").act(case["id"], "introduce",
                                               {"intro_number": "3/GGT", "intro_date": TODAY}).status_code == 200
    moved = api.as_user("tochuc.nghiahung").act(case["id"], "issue_letter",
                                                {"letter_number": "9/GGT", "letter_date": TODAY})
    assert moved.status_code == 200 and moved.get_json()["state"] == "in_transit"
    assert moved.get_json()["deadline"] is not None

    api.as_user("bithu.tdp4")
    inbox = api.get("/inbox").get_json()["items"]
    assert [item["id"] for item in inbox] == [case["id"]]
    seen = api.case(case["id"])
    assert [a["name"] for a in seen["available_actions"]] == ["receive"]
    assert api.get(f"/people/{member.id}").status_code == 200
    assert api.get(f"/people/{neighbour.id}").status_code == 404
    listed = api.get("/people?limit=200").get_json()["items"]
    assert neighbour.id not in {p["id"] for p in listed}
    cases = api.get("/cases?limit=200").get_json()["items"]
    assert [c["id"] for c in cases] == [case["id"]]

    received = api.act(case["id"], "receive", {"received_on": TODAY})
    assert received.status_code == 200 and received.get_json()["state"] == "transferred"
    person = api.get(f"/people/{member.id}").get_json()
    assert person["unit"]["id"] == demo.units["tdp4"].id
    # Both sides read the member and their cases; the home branch no longer lists them.
    api.as_user("bithu.trung")
    assert api.get(f"/people/{member.id}").status_code == 200
    assert api.get(f"/cases/{case['id']}").status_code == 200
    assert member.id not in {p["id"] for p in api.get("/people?limit=200").get_json()["items"]}
    history = api.get(f"/cases/{case['id']}/history")
    assert history.status_code == 200
    assert '"receive"' in history.get_data(as_text=True) and '"issue_letter"' in history.get_data(as_text=True)


def test_api__transfer_and_exemption_bad_input_is_422(api, demo):
    member = plain_member(demo)
    api.as_user("bithu.trung")
    bad = api.post("/cases", json=open_body(demo, member.id, kind="forever"))
    assert bad.status_code == 422 and "kind" in bad.get_json()["errors"]
    bad = api.post("/cases", json=open_body(demo, member.id, destination_unit_id=99999999))
    assert bad.status_code == 422 and "destination_unit_id" in bad.get_json()["errors"]
    bad = api.post("/cases", json={"type": "exemption", "person_id": member.id, "kind": "work",
                                   "reason": "Ốm.", "exempt_from": "20-11-2026"})
    assert bad.status_code == 422 and "exempt_from" in bad.get_json()["errors"]
    ok = api.post("/cases", json={"type": "exemption", "person_id": member.id, "kind": "work",
                                  "reason": "Ốm.", "exempt_from": TODAY})
    assert ok.status_code == 201 and ok.get_json()["state"] == "requested"
    for name in ("transfer", "exemption"):
        definition = api.get(f"/processes/{name}")
        assert definition.status_code == 200 and definition.get_json()["type"] == name
