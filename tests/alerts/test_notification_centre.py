"""The notification centre: the header's unread count, the list, marking read, and who may see or mark what."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alerts import services
from alerts.models import Alert, AlertRule, Escalation, Notification
from indicators.models import UserViewState
from tests.alerts.factories import EscalationFactory

pytestmark = pytest.mark.django_db

State = Escalation.State
CENTRE = reverse("alerts:notification_list")
READ_ALL = reverse("alerts:notifications_read_all")
OVERVIEW = reverse("indicators:overview")


def notify(user, escalation, subject, *, read=False, channel=Notification.Channel.IN_APP):
    return Notification.objects.create(
        recipient=user,
        escalation=escalation,
        topic=Notification.Topic.SUBMITTED,
        channel=channel,
        subject=subject,
        body="Body.",
        sent_at=timezone.now(),
        read_at=timezone.now() if read else None,
    )


def badge(page: str) -> str | None:
    """The header's unread figure as screen readers hear it, or None when the header shows no count."""
    marker = '<span class="visually-hidden"> ('
    if marker not in page:
        return None
    return page.split(marker, 1)[1].split(")", 1)[0]


@pytest.fixture
def inboxes(personas, make_escalation):
    """Every persona with two unread in-app notifications, one read, and one e-mail copy (never counted)."""
    case = make_escalation(State.SUBMITTED)
    for name, user in personas.items():
        notify(user, case, f"Unread one for {name}")
        notify(user, case, f"Unread two for {name}")
        notify(user, case, f"Read one for {name}", read=True)
        notify(user, case, f"E-mail copy for {name}", channel=Notification.Channel.EMAIL)
    return case


@pytest.mark.parametrize("who", ["alice", "bob", "fiona", "victor", "ada"])
def test_every_role_sees_its_own_unread_count_in_the_header_and_its_own_list(client, personas, inboxes, who):
    """The badge counts the user's unread in-app notifications; the list shows theirs only, unread first marked."""
    client.force_login(personas[who])
    page = client.get(CENTRE).content.decode()
    assert badge(page) == "2 unread"
    assert f"Unread one for {who}" in page and f"Read one for {who}" in page
    assert "E-mail copy" not in page
    others = [name for name in personas if name != who]
    assert not any(f"for {name}" in page for name in others)
    assert page.count('class="notification unread"') == 2
    assert f'href="{reverse("alerts:escalation_detail", args=[inboxes.pk])}"' in page


def test_the_header_links_to_the_centre_and_shows_no_count_when_all_is_read(client, fiona, make_escalation):
    case = make_escalation(State.SUBMITTED)
    notify(fiona, case, "Done with", read=True)
    client.force_login(fiona)
    page = client.get(reverse("alerts:escalation_list")).content.decode()
    assert f'<a href="{CENTRE}" data-header-item="notifications">Notifications</a>' in page
    assert badge(page) is None


def test_a_user_without_a_role_has_no_notification_centre(client, nobody):
    client.force_login(nobody)
    assert client.get(CENTRE).status_code == 403


@pytest.mark.parametrize("who", ["alice", "fiona", "victor"])
def test_marking_one_read_lowers_the_count_and_returns_to_the_list(client, personas, inboxes, who):
    user = personas[who]
    note = Notification.objects.filter(recipient=user, read_at__isnull=True, channel="in_app").first()
    client.force_login(user)
    response = client.post(reverse("alerts:notification_read", args=[note.pk]), {"next": CENTRE})
    assert response.status_code == 302 and response["Location"] == CENTRE
    note.refresh_from_db()
    assert note.read_at is not None
    assert badge(client.get(CENTRE).content.decode()) == "1 unread"


def test_another_users_notification_can_be_neither_marked_nor_seen(client, alice, fiona, inboxes):
    """Marking fiona's notification as alice is a 404 and leaves it unread; alice's list never shows it."""
    theirs = Notification.objects.filter(recipient=fiona, read_at__isnull=True, channel="in_app").first()
    client.force_login(alice)
    assert client.post(reverse("alerts:notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert theirs.subject not in client.get(CENTRE).content.decode()


def test_mark_all_read_marks_only_the_users_own(client, alice, fiona, inboxes):
    client.force_login(alice)
    response = client.post(READ_ALL, {"next": CENTRE})
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=fiona, read_at__isnull=True, channel="in_app").count() == 2
    assert badge(client.get(CENTRE).content.decode()) is None


def test_marking_read_needs_a_post_with_the_csrf_token(alice, inboxes):
    """A GET is refused, and a POST without the CSRF token is refused; the notification stays unread."""
    note = Notification.objects.filter(recipient=alice, read_at__isnull=True, channel="in_app").first()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.get(reverse("alerts:notification_read", args=[note.pk])).status_code == 405
    assert strict.post(reverse("alerts:notification_read", args=[note.pk])).status_code == 403
    assert strict.post(READ_ALL).status_code == 403
    note.refresh_from_db()
    assert note.read_at is None


def test_a_next_address_off_the_site_is_not_followed(client, alice, inboxes):
    client.force_login(alice)
    response = client.post(READ_ALL, {"next": "https://example.com/"})
    assert response["Location"] == CENTRE


def test_opening_the_case_marks_the_readers_notifications_about_it_read_and_nobody_elses(
    client, alice, fiona, victor, inboxes
):
    client.force_login(fiona)
    page = client.get(reverse("alerts:escalation_detail", args=[inboxes.pk])).content.decode()
    assert badge(page) is None
    assert not Notification.objects.filter(recipient=fiona, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=victor, read_at__isnull=True, channel="in_app").count() == 2


def test_a_decided_case_is_no_longer_listed_as_unread_for_the_focal_points(
    client, alice, fiona, make_escalation, valid_action
):
    """The submission notification is unread until the decision; the decision marks it read (notifications_settle)."""
    escalation = services.escalation_submit(escalation=make_escalation(), user=alice)
    client.force_login(fiona)
    assert badge(client.get(CENTRE).content.decode()) == "1 unread"
    services.escalation_claim(escalation_id=escalation.pk, user=fiona)
    escalation.refresh_from_db()
    services.escalation_decide(
        escalation=escalation,
        user=fiona,
        decision="monitor",
        rationale="Watch it.",
        actions=[valid_action],
    )
    page = client.get(CENTRE).content.decode()
    assert badge(page) is None and 'class="notification unread"' not in page
    # The analyst is told of the decision, and that notification is unread for her.
    client.force_login(alice)
    assert badge(client.get(CENTRE).content.decode()) == "1 unread"


def test_one_users_count_never_appears_on_another_users_page(personas, make_escalation):
    """Per-user figures are computed per request: users with 3, 1 and 0 unread each see their own on every page."""
    case = make_escalation(State.SUBMITTED)
    for i in range(3):
        notify(personas["fiona"], case, f"F{i}")
    notify(personas["alice"], case, "A0")
    expected = {"fiona": "3 unread", "alice": "1 unread", "victor": None}
    for url in (OVERVIEW + "?desk=", reverse("indicators:methodology"), CENTRE, OVERVIEW + "?desk="):
        for who, figure in expected.items():
            client = Client()
            client.force_login(personas[who])
            page = client.get(url).content.decode()
            assert badge(page) == figure, (url, who)


@pytest.fixture
def news(country_a, country_b, alice, bob, fiona):
    """alice and fiona returning after two days; since then an alert each for Alphaland and Betaland, a declaration
    of imminent risk for Alphaland, a decision to monitor Betaland, and an older alert from before the visit."""
    long_ago = timezone.now() - dt.timedelta(days=2)
    rule = AlertRule.objects.get(kind="band_reached", is_active=True)
    for country, when in ((country_a, timezone.now()), (country_b, timezone.now()), (country_a, long_ago)):
        Alert.objects.create(
            rule=rule,
            rule_kind=rule.kind,
            country=country,
            message=f"{country.name} reached high ({when:%d})",
            fingerprint=f"{country.iso3}-{when:%d}",
            raised_at=when - dt.timedelta(hours=1),
            # One open alert per rule and country: the old one has been handled since.
            status=Alert.Status.DISMISSED if when == long_ago else Alert.Status.OPEN,
        )
    declared = EscalationFactory(
        country=country_a,
        created_by=alice,
        state=State.IMMINENT_RISK_DECLARED,
        claimed_by=fiona,
        decided_at=timezone.now(),
        decision_rationale="Declared.",
    )
    monitored = EscalationFactory(
        country=country_b,
        created_by=bob,
        state=State.MONITORING,
        claimed_by=fiona,
        decided_at=timezone.now(),
        decision_rationale="Watch.",
    )
    for user in (alice, fiona):
        UserViewState.objects.create(user=user, last_seen_at=long_ago, filters={"overview": "desk="})
    return {"declared": declared, "monitored": monitored}


def test_an_analyst_sees_new_alerts_decisions_and_declarations_of_their_desks_since_the_last_visit(client, alice, news):
    client.force_login(alice)
    page = client.get(OVERVIEW, {"desk": ""}).content.decode()
    assert "Since your last visit" in page
    assert "Alphaland reached high" in page and "Betaland reached high" not in page
    assert page.count("reached high") == 1  # the alert from before the visit is not news
    assert f'href="{reverse("alerts:escalation_detail", args=[news["declared"].pk])}">Alphaland' in page
    assert reverse("alerts:escalation_detail", args=[news["monitored"].pk]) not in page
    assert "No new decisions." in page


def test_the_focal_point_sees_news_from_every_country_since_the_last_visit(client, fiona, news):
    client.force_login(fiona)
    page = client.get(OVERVIEW, {"desk": ""}).content.decode()
    assert "Alphaland reached high" in page and "Betaland reached high" in page
    assert f'href="{reverse("alerts:escalation_detail", args=[news["declared"].pk])}">Alphaland' in page
    assert f'href="{reverse("alerts:escalation_detail", args=[news["monitored"].pk])}">Betaland' in page
    assert "all countries" in page
    alert = Alert.objects.filter(country__iso3="QBB").first()
    assert f'href="{reverse("alerts:alert_list")}?country=QBB#alert-{alert.pk}"' in page


def test_a_first_visit_shows_no_since_your_last_visit(client, victor, news):
    client.force_login(victor)
    page = client.get(OVERVIEW, {"desk": ""}).content.decode()
    assert "Since your last visit" not in page
