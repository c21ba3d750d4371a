"""One throttling policy over both password doors (issue 11, class 5): failed
attempts are counted per account and per client address, and the login page
and the API token endpoint draw on the same counters."""

from __future__ import annotations

import re

import pytest

PAGE_429 = "Bạn đã đăng nhập quá nhiều lần. Vui lòng chờ 1 phút rồi thử lại."
API_429 = "Quá nhiều yêu cầu. Vui lòng chờ 1 phút rồi thử lại."


def _token(client, username, password, address="10.0.0.1"):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _login(client, username, password, address="10.0.0.1"):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_throttle__page_lockout_also_closes_the_token_door(client, demo):
    for _ in range(5):
        assert _login(client, "bithu.trung", "wrong", "10.0.0.1").status_code == 401
    assert _login(client, "bithu.trung", "demo", "10.0.0.1").status_code == 429
    # The same account through the API, from another address: refused too.
    response = _token(client, "bithu.trung", "demo", "10.0.0.2")
    assert response.status_code == 429
    assert response.get_json()["detail"] == API_429


def test_throttle__token_guesses_lock_the_login_page(client, demo):
    for _ in range(5):
        assert _token(client, "bithu.dong", "wrong", "10.0.0.3").status_code == 401
    response = _login(client, "bithu.dong", "demo", "10.0.0.4")
    assert response.status_code == 429
    assert PAGE_429 in response.get_data(as_text=True)


@pytest.mark.parametrize("door", ["page", "api", "both"])
def test_throttle__one_address_cannot_try_many_accounts(client, demo, door):
    accounts = ["admin", "bithu.trung", "bithu.dong", "danguy.phucthang", "tochuc.nghiahung",
                "thuongvu.nghiahung", "kiemtra.nghiahung", "bithu.tdp4", "danguy.locvuong", "thuongvu.thanhpho"]
    for i, name in enumerate(accounts):  # LOGIN_RATE_LIMIT = 10 failed attempts per minute per address
        use_page = door == "page" or (door == "both" and i % 2 == 0)
        response = _login(client, name, "wrong", "10.0.0.9") if use_page else _token(client, name, "wrong", "10.0.0.9")
        assert response.status_code == 401
    # An eleventh account, never tried before, with its right password: refused at both doors.
    assert _token(client, "kiemtra.tinh", "demo", "10.0.0.9").status_code == 429
    assert _login(client, "kiemtra.tinh", "demo", "10.0.0.9").status_code == 429
    # From another address the same account signs in.
    assert _token(client, "kiemtra.tinh", "demo", "10.0.0.10").status_code == 200
