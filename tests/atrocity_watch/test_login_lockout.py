"""A password brute force locks the account: even the right password is refused until the lockout ends, with a page
that says why (issue 13, defect 10)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_twenty_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(client, alice):
    """After the brute force the correct password gets the 429 lockout page, and no session is opened."""
    statuses = [sign_in(client, "alice", f"guess-{attempt}").status_code for attempt in range(20)]
    assert statuses[0] == 200  # the form again, with its error
    assert statuses[-1] == 429
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Sign-in locked" in body
    assert "after 10 failed attempts this account is locked for 15 minutes" in body
    assert "_auth_user_id" not in client.session


def test_the_right_password_works_again_once_the_lockout_ends(client, alice):
    """Fifteen minutes later the account signs in normally."""
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        for attempt in range(12):
            sign_in(client, "alice", f"guess-{attempt}")
        assert sign_in(client, "alice", PASSWORD).status_code == 429
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 16, tzinfo=dt.UTC), tick=False):
        response = sign_in(client, "alice", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(alice.pk)


def test_a_few_typos_do_not_lock_and_a_success_resets_the_count(client, alice):
    """Nine wrong passwords, a right one, nine more: still not locked."""
    for attempt in range(9):
        sign_in(client, "alice", f"typo-{attempt}")
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for attempt in range(9):
        assert sign_in(client, "alice", f"typo-again-{attempt}").status_code == 200
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_one_address_spraying_many_usernames_is_locked_out(client, alice, bob):
    """Ten failures from one address over different usernames lock that address, even for a real account."""
    for attempt in range(10):
        sign_in(client, f"someone-{attempt}", "password1")
    assert sign_in(client, "bob", PASSWORD).status_code == 429
    assert sign_in(client, "bob", PASSWORD, address="198.51.100.9").status_code == 302


def test_the_admin_sign_in_is_locked_too(client, ada):
    """The admin's login form goes through the same backend, so the same lockout applies there."""
    for attempt in range(10):
        client.post("/admin/login/", {"username": "ada", "password": f"guess-{attempt}"}, REMOTE_ADDR="192.0.2.1")
    response = client.post("/admin/login/", {"username": "ada", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1")
    assert response.status_code == 429


def test_a_username_longer_than_any_account_is_refused_on_the_form(client, db):
    """A 300-character username is refused by the form, naming the limit, before it reaches the lockout records
    (whose column is shorter and answered 500 on PostgreSQL)."""
    response = sign_in(client, "u" * 300, "whatever")
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_refuses_a_username_longer_than_any_account_too(client, db):
    response = client.post("/admin/login/", {"username": "u" * 300, "password": "whatever"}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
