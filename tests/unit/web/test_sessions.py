"""Signing in and out of the console: cookies, CSRF, throttle, expiry, revocation."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.server import create_app
from shieldwall.web.signin import _safe_next
from tests.unit.web.world import PASSWORD, Console, sign_in


def _signin_token(client: TestClient) -> str:
    page = client.get("/console/signin")
    return page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def test_pages_send_a_stranger_to_sign_in(console: Console) -> None:
    response = console.client().get("/console/incidents", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/signin?next=/console/incidents"


def test_the_session_cookie_is_httponly_strict_and_not_secure_on_loopback(
    console: Console,
) -> None:
    client = console.client()
    token = _signin_token(client)
    response = client.post(
        "/console/signin",
        data={"csrf": token, "email": "alpha@web.example", "password": PASSWORD},
        follow_redirects=False,
    )
    cookie = next(v for k, v in response.headers.multi_items() if v.startswith("sw_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie
    assert client.get("/console").status_code == 200


def test_the_session_cookie_is_secure_outside_loopback(console: Console) -> None:
    client = TestClient(create_app(console.services), base_url="https://console.example")
    token = _signin_token(client)
    response = client.post(
        "/console/signin",
        data={"csrf": token, "email": "alpha@web.example", "password": PASSWORD},
        follow_redirects=False,
    )
    cookie = next(v for k, v in response.headers.multi_items() if v.startswith("sw_session="))
    assert "Secure" in cookie


def test_a_wrong_password_opens_no_session(console: Console) -> None:
    client = console.client()
    token = _signin_token(client)
    response = client.post(
        "/console/signin",
        data={"csrf": token, "email": "alpha@web.example", "password": "wrong"},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert "Unknown e-mail or wrong password." in response.text
    assert "sw_session" not in client.cookies


def test_the_sign_in_form_without_its_csrf_token_is_refused(console: Console) -> None:
    client = console.client()
    client.get("/console/signin")
    response = client.post(
        "/console/signin",
        data={"email": "alpha@web.example", "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "sw_session" not in client.cookies


def test_repeated_failures_are_throttled_like_the_api_login(console: Console) -> None:
    client = console.client()
    statuses = []
    for _ in range(7):
        token = _signin_token(client)
        response = client.post(
            "/console/signin",
            data={"csrf": token, "email": "nobody@web.example", "password": "x"},
            follow_redirects=False,
        )
        statuses.append(response.status_code)
    assert statuses[:5] == [401] * 5
    assert statuses[-1] == 429


def test_signing_out_revokes_the_session_on_the_server(console: Console) -> None:
    client = console.client()
    sign_in(client, "alpha@web.example")
    secret = client.cookies["sw_session"]
    home = client.get("/console")
    csrf = home.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    out = client.post("/console/signout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    replay = console.client()
    replay.cookies.set("sw_session", secret, path="/console")
    assert replay.get("/console", follow_redirects=False).status_code == 303


def test_signing_out_without_the_csrf_token_is_refused(console: Console) -> None:
    client = console.client()
    sign_in(client, "alpha@web.example")
    assert client.post("/console/signout", data={}).status_code == 403
    assert client.get("/console", follow_redirects=False).status_code == 200


def test_an_expired_session_is_sent_to_sign_in(console: Console) -> None:
    person = console.people["alpha@web.example"]
    issued = accounts.create_token(
        console.services.store, OPERATOR, person, "login", timedelta(seconds=-1)
    )
    client = console.client()
    client.cookies.set("sw_session", issued.secret, path="/console")
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_a_forged_session_cookie_is_sent_to_sign_in(console: Console) -> None:
    client = console.client()
    client.cookies.set("sw_session", "sw_forged.nonsense", path="/console")
    assert client.get("/console", follow_redirects=False).status_code == 303


@given(st.text(max_size=60))
def test_after_sign_in_the_browser_never_leaves_the_console(target: str) -> None:
    assert _safe_next(target).startswith("/console")
    assert not _safe_next(target).startswith("//")


def test_after_sign_in_the_browser_goes_where_it_was_going(console: Console) -> None:
    client = console.client()
    token = _signin_token(client)
    response = client.post(
        "/console/signin",
        data={
            "csrf": token,
            "email": "alpha@web.example",
            "password": PASSWORD,
            "next": "/console/attack",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/console/attack"
