"""One clock (issue 11, class 9): "today" is Vietnam's day everywhere.

Between 17:00 and 24:00 UTC the UTC date is still yesterday in Vietnam. The API's
form and the model used to disagree about "today" (the model read the server's
date), so registering someone born on Vietnam's today answered 500.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api_client import Api

# (the shared clock, Vietnam's day at that instant)
INSTANTS = [
    ("2026-11-30T18:00:00Z", dt.date(2026, 12, 1)),
    ("2026-11-30T23:59:00Z", dt.date(2026, 12, 1)),
    ("2026-11-30T16:59:00Z", dt.date(2026, 11, 30)),
    ("2040-06-15T17:30:00Z", dt.date(2040, 6, 16)),
]


def _candidate(demo, born: dt.date) -> dict:
    return {"full_name": "Lê Thị Hồng", "date_of_birth": born.isoformat(), "gender": "female",
            "national_id": "036226001234", "education": "none", "unit_id": demo.units["trung"].id}


@pytest.mark.parametrize("now,vn_today", INSTANTS, ids=[i[0] for i in INSTANTS])
def test_rule__common__today_is_vietnams_calendar_day(client, demo, clock_file, now, vn_today):
    clock_file.write_text(now)
    api = Api(client).as_user("bithu.trung")
    response = api.post("/people", json=_candidate(demo, vn_today))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["date_of_birth"] == vn_today.isoformat()


@pytest.mark.parametrize("now,vn_today", INSTANTS, ids=[i[0] for i in INSTANTS])
def test_clock__person_born_on_vietnams_tomorrow_is_refused_not_500(client, demo, clock_file, now, vn_today):
    clock_file.write_text(now)
    api = Api(client).as_user("bithu.trung")
    response = api.post("/people", json=_candidate(demo, vn_today + dt.timedelta(days=1)))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "date_of_birth" in response.get_json()["errors"]
