"""Per-user API tokens: created and revoked in the account page, shown once, stored hashed, checked on every call."""

import datetime as dt

import pytest
from django.utils import timezone

from atrocity_watch.models import ApiToken
from atrocity_watch.services import api_token_create, token_hash


def test_user_creates_a_token_and_sees_it_exactly_once(client, alice):
    client.force_login(alice)
    response = client.post("/account/tokens/", {"name": "monthly export"})
    assert response.status_code == 200
    secret = response.context["created"].secret
    assert secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=alice)
    assert token.key_hash == token_hash(secret)
    assert secret not in token.key_hash and token.key_prefix == secret[:8]
    again = client.get("/account/tokens/")
    assert secret not in again.content.decode()
    assert "monthly export" in again.content.decode()


def test_token_without_a_name_is_refused_with_a_message(client, alice):
    client.force_login(alice)
    response = client.post("/account/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_token_expiry_in_the_past_is_refused(client, alice):
    client.force_login(alice)
    response = client.post("/account/tokens/", {"name": "old", "expires_on": "2000-01-01"})
    assert response.status_code == 400
    assert "future" in response.content.decode()


def test_account_without_role_cannot_create_tokens(client, nobody):
    client.force_login(nobody)
    assert client.get("/account/tokens/").status_code == 403


def test_tokens_page_needs_sign_in(client, db):
    response = client.get("/account/tokens/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_nav_links_to_the_tokens_page(client, victor):
    client.force_login(victor)
    assert 'href="/account/tokens/"' in client.get("/account/tokens/").content.decode()


def test_token_authenticates_api_calls_with_the_owners_role(token_client, alice):
    response = token_client(alice).get("/api/v1/countries/")
    assert response.status_code == 200
    assert ApiToken.objects.get(user=alice).last_used_at is not None


def test_revoked_token_stops_working_at_once(client, token_client, alice):
    api = token_client(alice)
    token = ApiToken.objects.get(user=alice)
    client.force_login(alice)
    response = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    refused = api.get("/api/v1/countries/")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication_failed"
    assert "revoked" in client.get("/account/tokens/").content.decode()


def test_user_cannot_revoke_someone_elses_token(client, alice, bob):
    token = api_token_create(user=alice, name="alice's").token
    client.force_login(bob)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_expired_token_is_refused(token_client, alice):
    api = token_client(alice)
    ApiToken.objects.filter(user=alice).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get("/api/v1/countries/").status_code == 401


@pytest.mark.parametrize("header", ["Bearer not-a-real-token", "Token x y", "Bearer"])
def test_bad_token_headers_answer_401_in_the_error_shape(client, db, header):
    response = client.get("/api/v1/countries/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_of_a_deactivated_account_is_refused(token_client, alice):
    api = token_client(alice)
    alice.is_active = False
    alice.save()
    assert api.get("/api/v1/countries/").status_code == 401


def test_token_scheme_accepts_the_token_keyword_too(client, alice):
    secret = api_token_create(user=alice, name="script").secret
    assert client.get("/api/v1/countries/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
