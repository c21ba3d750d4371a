"""Posts (DOMAIN.md "Posts"): shown on the person and in the API, appointed
and ended by the organisation board, never deleted, and no new post for a
member under discipline in force (the case named)."""

from __future__ import annotations

import pytest

from tests.demo_people import TODAY, candidate, members, plain_member
from tests.discipline_flow import announce, decided_by_branch

VICE = {"title": "Phó bí thư chi bộ", "start": "2026-11-20"}


@pytest.fixture
def board(api, demo):
    """The API as the organisation board of Huyện ủy Nghĩa Hưng."""
    return api.as_user("tochuc.nghiahung")


def appoint_body(demo, **override) -> dict:
    return {**VICE, "unit_id": demo.units["trung"].id, **override}


def test_rule__posts__recorded_and_shown_on_the_person_and_in_the_api(api, pages, demo):
    secretary = members(demo)[0]  # the demo's secretary of thôn Trung
    person = api.as_user("bithu.trung").get(f"/people/{secretary.id}").get_json()
    assert [{k: p[k] for k in ("title", "unit_id", "start", "end")} for p in person["posts"]] == [
        {"title": "Bí thư chi bộ", "unit_id": demo.units["trung"].id, "start": "2025-08-01", "end": None}]
    assert isinstance(person["posts"][0]["id"], int)
    html = pages.as_user("bithu.trung").client.get(f"/people/{secretary.id}").get_data(as_text=True)
    assert 'data-testid="post"' in html and "Bí thư chi bộ" in html and 'data-held="yes"' in html


def test_rule__posts__never_deleted__appointed_and_ended_by_the_organisation_board(board, demo):
    member = plain_member(demo)
    response = board.post(f"/people/{member.id}/posts", json=appoint_body(demo, committee_seat=False))
    assert response.status_code == 201, response.get_data(as_text=True)
    post = response.get_json()
    assert post == {"id": post["id"], "title": "Phó bí thư chi bộ", "unit_id": demo.units["trung"].id,
                    "start": "2026-11-20", "end": None}
    assert board.get(f"/people/{member.id}").get_json()["posts"] == [post]

    twice = board.post(f"/people/{member.id}/posts", json=appoint_body(demo))
    assert twice.status_code == 422 and "đang giữ chức vụ Phó bí thư chi bộ" in twice.get_json()["detail"]

    ended = board.post(f"/people/{member.id}/posts/{post['id']}/end", json={"end": TODAY})
    assert ended.status_code == 200, ended.get_data(as_text=True)
    assert ended.get_json()["end"] == TODAY
    again = board.post(f"/people/{member.id}/posts/{post['id']}/end", json={"end": TODAY})
    assert again.status_code == 422 and "đã thôi" in again.get_json()["detail"]
    assert board.get(f"/people/{member.id}").get_json()["posts"] == [dict(post, end=TODAY)]  # still there


@pytest.mark.parametrize("username", ["bithu.trung", "danguy.phucthang", "thuongvu.nghiahung", "thanhtra.tinh"])
def test_rule__posts__recorded_and_shown_on_the_person_and_in_the_api__only_the_organisation_board(api, demo, username):
    member = plain_member(demo)
    api.as_user(username)
    assert api.post(f"/people/{member.id}/posts", json=appoint_body(demo)).status_code == 403
    secretary_post = api.get(f"/people/{members(demo)[0].id}").get_json()["posts"][0]
    assert api.post(f"/people/{members(demo)[0].id}/posts/{secretary_post['id']}/end",
                    json={"end": TODAY}).status_code == 403


def test_rule__posts__appoint_refused_while_under_discipline(app, pages, board, demo):
    member = plain_member(demo)
    case_id = decided_by_branch(app, pages, member.id)
    before = board.post(f"/people/{member.id}/posts", json=appoint_body(demo, title="Tổ trưởng tổ đảng"))
    assert before.status_code == 201  # decided but not yet announced: not in force
    announce(pages, case_id)

    refused = board.post(f"/people/{member.id}/posts", json=appoint_body(demo))
    assert refused.status_code == 422
    detail = refused.get_json()["detail"]
    assert member.full_name in detail and f"hồ sơ số {case_id}" in detail
    assert [p["title"] for p in board.get(f"/people/{member.id}").get_json()["posts"]] == ["Tổ trưởng tổ đảng"]

    pages.as_user("tochuc.nghiahung")
    page = pages.client.post(f"/people/{member.id}/posts", data={
        "csrf_token": pages.token(f"/people/{member.id}"), **appoint_body(demo)})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'data-testid="refusal"' in html and f"hồ sơ số {case_id}" in html


@pytest.mark.parametrize("who, override, field", [
    ("candidate", {}, None),  # not a party member
    ("member", {"unit_id": "dong"}, "unit_id"),  # not the member's unit nor above it
    ("member", {"unit_id": "tdp4"}, "unit_id"),  # outside the board's units
    ("member", {"start": "2026-11-21"}, "start"),  # tomorrow
    ("member", {"title": ""}, "title"),
])
def test_rule__posts__recorded_and_shown_on_the_person_and_in_the_api__held_at_their_unit_or_above(board, demo, who, override, field):
    person = candidate(demo) if who == "candidate" else plain_member(demo)
    if "unit_id" in override:
        override = dict(override, unit_id=demo.units[override["unit_id"]].id)
    response = board.post(f"/people/{person.id}/posts", json=appoint_body(demo, **override))
    assert response.status_code == 422, response.get_data(as_text=True)
    if field:
        assert field in response.get_json()["errors"]
    else:
        assert "không phải là đảng viên" in response.get_json()["detail"]


def test_rule__posts__recorded_and_shown_on_the_person_and_in_the_api__grassroots_committee_from_the_page(app, pages, demo):
    member = plain_member(demo)
    pages.as_user("tochuc.nghiahung")
    html = pages.client.get(f"/people/{member.id}").get_data(as_text=True)
    assert 'data-testid="appoint-form"' in html
    token = pages.token(f"/people/{member.id}")
    response = pages.client.post(f"/people/{member.id}/posts", data={
        "csrf_token": token, "title": "Đảng ủy viên xã Phúc Thắng", "unit_id": demo.units["phucthang"].id,
        "start": "2026-10-01", "committee_seat": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    html = pages.client.get(f"/people/{member.id}").get_data(as_text=True)
    assert "Đảng ủy viên xã Phúc Thắng" in html and 'data-held="yes"' in html

    from app.extensions import db
    from cases.posts import posts_of

    with app.app_context():
        post = posts_of(db.session, member.id)[0]
        assert post.committee_seat and post.recorded_by_id == demo.users["tochuc.nghiahung"].id
    assert f'name="post{post.id}-end"' in html
    early = pages.client.post(f"/people/{member.id}/posts/{post.id}/end", data={"csrf_token": token,
                                                                               f"post{post.id}-end": "2026-09-30"})
    assert early.status_code == 422 and "trước khi bắt đầu" in early.get_data(as_text=True)
    ended = pages.client.post(f"/people/{member.id}/posts/{post.id}/end", data={"csrf_token": token,
                                                                               f"post{post.id}-end": "2026-11-20"})
    assert ended.status_code == 302
    html = pages.client.get(f"/people/{member.id}").get_data(as_text=True)
    assert 'data-held="no"' in html and "20/11/2026" in html

    pages.as_user("bithu.trung")  # the branch sees the posts, without the board's forms
    html = pages.client.get(f"/people/{member.id}").get_data(as_text=True)
    assert "Đảng ủy viên xã Phúc Thắng" in html and 'data-testid="appoint-form"' not in html


def test_rule__posts__recorded_and_shown_on_the_person_and_in_the_api__another_persons_post_not_found(board, demo):
    secretary = members(demo)[0]
    post_id = board.get(f"/people/{secretary.id}").get_json()["posts"][0]["id"]
    response = board.post(f"/people/{plain_member(demo).id}/posts/{post_id}/end", json={"end": TODAY})
    assert response.status_code == 404
