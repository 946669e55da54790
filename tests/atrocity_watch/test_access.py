"""Every page requires sign-in, and each role reaches exactly the pages it should."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

READ_PAGES = ["/", "/countries/QAA/"]


@pytest.mark.parametrize("path", [*READ_PAGES, "/admin/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, country_a, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") or response["Location"].startswith("/admin/login/")


def test_login_page_is_served_to_anonymous_visitors(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_user_signs_in_with_username_and_password(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "correct horse battery staple"})
    assert response.status_code == 302
    # An analyst's bare visit opens the overview on their own desks.
    assert client.get("/", follow=True).status_code == 200


@pytest.mark.parametrize("persona", ["alice", "bob", "fiona", "victor", "ada"])
@pytest.mark.parametrize("path", READ_PAGES)
def test_every_role_reads_the_overview_and_country_pages(client, personas, country_a, persona, path):
    client.force_login(personas[persona])
    # Analysts' bare overview visit redirects to their desks (?desk=mine); every role ends on a page it may read.
    assert client.get(path, follow=True).status_code == 200


@pytest.mark.parametrize("path", READ_PAGES)
def test_a_signed_in_account_without_a_role_is_refused(client, nobody, country_a, path):
    client.force_login(nobody)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(("persona", "status"), [("alice", 403), ("fiona", 403), ("victor", 403), ("ada", 200)])
def test_only_administrators_reach_the_admin(client, personas, persona, status):
    client.force_login(personas[persona])
    response = client.get("/admin/")
    # The admin redirects users it refuses to its own login page.
    assert (response.status_code if response.status_code != 302 else 403) == status


def test_a_staff_flag_alone_does_not_open_the_admin(client, victor):
    victor.is_staff = True
    victor.save()
    client.force_login(victor)
    assert client.get("/admin/").status_code == 302


def test_unknown_country_page_is_a_404(client, alice):
    client.force_login(alice)
    assert client.get("/countries/ZZZ/").status_code == 404


@pytest.mark.django_db
def test_a_refusal_explains_itself_on_a_page_with_the_sites_navigation(client, alice, country_b):
    """Alice works the desk of Alphaland; escalating Betaland is refused with the reason, not a bare 403."""
    client.force_login(alice)
    response = client.get(reverse("alerts:escalation_create", args=[country_b.iso3]))
    assert response.status_code == 403
    page = response.content.decode()
    assert f"Only analysts of the desk that owns {country_b.name} may escalate it." in page
    assert "Back to the overview" in page and 'class="who"' in page


@pytest.mark.django_db
def test_a_missing_page_says_what_was_asked_for(client, alice):
    client.force_login(alice)
    response = client.get("/escalations/999999/")
    assert response.status_code == 404
    assert "/escalations/999999/" in response.content.decode()


COUNTRY_PATHS = [
    "/countries/{}/",
    "/countries/{}/indicators/",
    "/countries/{}/score-status/",
    "/countries/{}/network/",
    "/countries/{}/network/export/ftm/",
    "/countries/{}/brief/",
    "/countries/{}/brief.pdf",
    "/countries/{}/trigger-events/new/",
    "/countries/{}/assessments/new/",
    "/api/v1/countries/{}/network/",
]


@pytest.mark.parametrize("path", COUNTRY_PATHS)
@pytest.mark.parametrize("code", ["Q%00A", "QA%00", "%00%00%00"])
def test_a_country_code_holding_a_nul_byte_is_a_404_on_every_country_address(client, fiona, country_a, path, code):
    """PostgreSQL refuses a NUL in a query, so such a code must never reach one: every country address answers 404."""
    client.force_login(fiona)
    client.raise_request_exception = False
    assert client.get(path.format(code)).status_code == 404


def test_country_addresses_still_take_either_case(client, fiona, country_a):
    client.force_login(fiona)
    assert client.get("/countries/qaa/").status_code == 200
    assert reverse("indicators:country_detail", args=["QAA"]) == "/countries/QAA/"


def test_picking_a_country_with_a_nul_byte_is_a_404(client, fiona, country_a):
    client.force_login(fiona)
    client.raise_request_exception = False
    assert client.get("/pick-country/", {"iso3": "Q\x00A", "then": "escalate"}).status_code == 404
