"""The pages' person picker (GET /people/pick), the name search from any word
(pages and API), the inbox badge, the case page's header and picture, and the
history without action codes (issue 13)."""

from __future__ import annotations

import re

import pytest

from core.text import fold
from tests.admission_flow import Flow, vote
from tests.demo_people import NOW, officials


def pick(pages, of, unit, q=""):
    return pages.client.get("/people/pick", query_string={"of": of, "unit": unit, "q": q})


def test_pages__picker_finds_people_by_any_word_without_diacritics(pages, demo):
    pages.as_user("bithu.trung")
    person = officials(demo)[4]
    middle_and_given = fold(person.full_name).split(" ", 1)[1]
    for q in (fold(person.full_name)[:6], middle_and_given, person.full_name.upper()):
        body = pick(pages, "officials_of_branch", demo.units["trung"].id, q).get_json()
        assert {"id": person.id, "label": person.full_name} in body["items"], q
        assert body["more"] is False
    everyone = pick(pages, "officials_of_branch", demo.units["trung"].id).get_json()["items"]
    assert len(everyone) == len(officials(demo))  # an empty query lists the first ones
    # Only what the field offers: no candidate among the branch's officials.
    candidate = [p for p in demo.people["trung"] if p.status.value == "candidate"][0]
    found = pick(pages, "officials_of_branch", demo.units["trung"].id, candidate.full_name).get_json()["items"]
    assert candidate.id not in [i["id"] for i in found]


def test_pages__picker_answers_404_outside_scope_and_never_500(pages, demo):
    pages.as_user("bithu.trung")
    assert pick(pages, "officials_of_branch", demo.units["tdp4"].id, "a").status_code == 404  # another city
    assert pick(pages, "everyone", demo.units["trung"].id).status_code == 404
    assert pick(pages, "officials_of_branch", 10 ** 9).status_code == 404
    assert pick(pages, "officials_of_branch", "abc").status_code == 400
    assert pick(pages, "members_of_branch", demo.units["trung"].id, "a\x00b").status_code == 400  # the edge
    assert pick(pages, "members_of_branch", demo.units["trung"].id, "x" * 5000).status_code == 400  # the edge
    for q in ("%", "_", "x" * 90, "'; DROP TABLE person; --"):
        response = pick(pages, "members_of_branch", demo.units["trung"].id, q)
        assert response.status_code == 200 and response.get_json()["items"] == [], q
    pages.client.post("/logout", data={"csrf_token": pages.token("/")})
    assert pick(pages, "officials_of_branch", demo.units["trung"].id).status_code in (302, 401)


def test_api__people_search_matches_a_later_word(api, demo):
    api.as_user("bithu.trung")
    person = officials(demo)[4]
    q = fold(person.full_name).split(" ", 1)[1]
    items = api.get("/people", query_string={"q": q}).get_json()["items"]
    assert person.id in [p["id"] for p in items]
    assert all(q in fold(p["full_name"]) for p in items)


@pytest.fixture
def at_appraisal(app, demo, clock_file):
    flow = Flow(app, demo, clock_file)
    flow.at(NOW)
    with app.test_request_context("/"):
        case_id = flow.open(flow.new_candidate("2000-05-01", full_name="Lương Văn Hạ"))
        flow.to_branch_vote(case_id)
        flow.act(case_id, "record_branch_vote", "bithu.trung", **vote("2026-11-10", 10, 10, 9, 1))
        flow.act(case_id, "record_grassroots_vote", "danguy.phucthang", **vote("2026-11-12", 9, 9, 8, 1))
    return case_id


def test_pages__header_picture_and_history_of_a_case(pages, at_appraisal):
    pages.as_user("tochuc.nghiahung")
    html = pages.case_page(at_appraisal)
    header = html[html.index('data-testid="case-header"'):html.index('data-testid="case-summary"')]
    assert 'data-tone="passed"' in header and "8/9 ủy viên" in header
    assert "Cán bộ Ban Tổ chức của Huyện ủy Nghĩa Hưng</strong>: Nguyễn Thị Hưng" in header
    assert "Chưa tải lên: 6-KNĐ, 8-KNĐ." in header
    assert re.search(r'<g class="node current[^"]*" data-state="superior_review">', html)
    assert re.search(r'<g class="node visited" data-state="grassroots_vote">', html)
    assert "stateDiagram" not in html  # no raw diagram text
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    history = pages.client.get(f"/cases/{at_appraisal}/history").get_data(as_text=True)
    assert ">upload_document<" not in history and ">record_branch_vote<" not in history
    assert "Tải lên tài liệu" in history


def test_pages__inbox_badge_counts_the_inbox(pages, at_appraisal):
    pages.as_user("tochuc.nghiahung")
    html = pages.client.get("/inbox").get_data(as_text=True)
    rows = len(re.findall(r"<tr class=", html))
    assert rows == 1
    assert re.search(r'data-testid="inbox-count"[^>]*>1</span>', html)
    pages.as_user("bithu.dong")
    assert 'data-testid="inbox-count"' not in pages.client.get("/inbox").get_data(as_text=True)
