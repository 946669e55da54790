"""Pinned query counts for the focal point queue, an escalation, the alerts page and the actions tracker.

Each page is measured with 3 and with 6 of everything it lists; the count must not change, so an N+1 fails here.
The counts include the session, the user and the user's roles (3 queries); analysts add one for their desks; every
page adds one for the header's unread-notification count, and an escalation's page one more to mark the reader's
notifications about the case read.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts import services
from alerts.models import Alert, AlertRule, Escalation, Notification, ResponseAction
from core.services import audit_record
from indicators.models import UserViewState
from tests.alerts.factories import EscalationFactory
from tests.factories import CountryFactory

State = Escalation.State
SIZES = [3, 6]


@pytest.fixture
def populated(desk_a, alice, fiona, victor):
    """n countries of alice's desk, each with open and handled alerts, queued, drafted and decided escalations,
    open and closed response actions (owned by victor) and notifications for the focal point."""

    def populate(n: int) -> Escalation:
        rule = AlertRule.objects.get(kind="band_reached", is_active=True)
        decided = None
        for i in range(n):
            country = CountryFactory(desk=desk_a, iso3=f"QX{chr(65 + i)}", name=f"Xland {i}")
            alert = Alert.objects.create(rule=rule, rule_kind=rule.kind, country=country, message="High", fingerprint=i)
            Alert.objects.create(
                rule=rule,
                rule_kind=rule.kind,
                country=country,
                message="Old",
                fingerprint=f"old-{i}",
                status=Alert.Status.DISMISSED,
                handled_by=alice,
                handled_at=timezone.now(),
                dismissal_reason="Seen.",
            )
            claimed = EscalationFactory(country=country, created_by=alice, state=State.SUBMITTED)
            services.escalation_claim(escalation_id=claimed.pk, user=fiona)
            services.escalation_submit(escalation=EscalationFactory(country=country, created_by=alice), user=alice)
            decided = EscalationFactory(
                country=country,
                created_by=alice,
                state=State.IMMINENT_RISK_DECLARED,
                claimed_by=fiona,
                decided_at=timezone.now(),
                decision_rationale="Declared.",
                alert=alert,
            )
            for status, department in (("planned", "fcdo"), ("in_progress", "mod"), ("done", "hmt_ofsi")):
                ResponseAction.objects.create(
                    escalation=decided,
                    country=country,
                    tool="targeted_sanctions",
                    lead_department=department,
                    owner="Sanctions unit",
                    owner_account=victor,
                    due_on=timezone.localdate(),
                    created_by=fiona,
                    status=status,
                    status_note="Under way.",
                    status_changed_by=fiona,
                )
        for _ in range(n):  # the escalation page's timeline grows with n as well
            for who in (alice, fiona, victor):
                audit_record(kind="decision", summary="Noted.", escalation=decided, actor=who)
        return decided

    return populate


# Every page asks once (then caches) whether real data is imported, for the "demonstration data" banner.
DEMO_BANNER_QUERIES = 1


def get_counted(client, user, url, expected, django_assert_num_queries):
    client.force_login(user)
    with django_assert_num_queries(expected + DEMO_BANNER_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize(("who", "expected"), [("fiona", 7), ("alice", 9), ("victor", 7)])
def test_the_focal_point_queue_reads_a_fixed_number_of_queries(
    client, populated, personas, django_assert_num_queries, n, who, expected
):
    populated(n)
    page = get_counted(client, personas[who], reverse("alerts:escalation_list"), expected, django_assert_num_queries)
    assert page.count("Xland ") >= 2 * n  # the queue and the other cases really list every country


@pytest.mark.django_db
@pytest.mark.parametrize("n", SIZES)
# Two more than the case itself needs: the networks app's panel reads the case's named actors and its sanctions
# targets, one query each whatever their number.
@pytest.mark.parametrize(("who", "expected"), [("fiona", 10), ("alice", 11), ("victor", 10)])
def test_an_escalation_page_reads_a_fixed_number_of_queries(
    client, populated, personas, django_assert_num_queries, n, who, expected
):
    decided = populated(n)
    page = get_counted(
        client,
        personas[who],
        reverse("alerts:escalation_detail", args=[decided.pk]),
        expected,
        django_assert_num_queries,
    )
    assert page.count("Noted.") == 3 * n and page.count("Sanctions unit") == 3


@pytest.mark.django_db
@pytest.mark.parametrize("n", SIZES)
def test_an_escalation_under_review_with_the_decision_form_reads_a_fixed_number_of_queries(
    client, make_escalation, fiona, django_assert_num_queries, n
):
    escalation = make_escalation(State.UNDER_REVIEW)
    for _ in range(n):
        audit_record(kind="transition", summary="Step.", escalation=escalation, actor=fiona)
    # 11, and 2 for the owners' roles and desks in the owner pick-list
    page = get_counted(
        client, fiona, reverse("alerts:escalation_detail", args=[escalation.pk]), 13, django_assert_num_queries
    )
    assert "Record decision" in page and "Owner&#x27;s account" in page
    assert "Fiona" in page and "R2P Focal Point" in page


@pytest.mark.django_db
@pytest.mark.parametrize("n", SIZES)
# The list; 5 to keep the filters (a first visit creates the user's view state); the desks and the countries for
# the filters; the methodology and the overview's scores the alerts are shown against.
@pytest.mark.parametrize(("who", "expected"), [("fiona", 16), ("alice", 16), ("victor", 16)])
def test_the_alerts_page_reads_a_fixed_number_of_queries(
    client, populated, personas, django_assert_num_queries, n, who, expected
):
    populated(n)
    url = reverse("alerts:alert_list") + "?sort=newest"  # with filters: a bare visit redirects to the saved ones
    page = get_counted(client, personas[who], url, expected, django_assert_num_queries)
    assert page.count("Seen.") == n


@pytest.mark.django_db
@pytest.mark.parametrize("n", SIZES)
# One more than the list itself: the target actors of every targeted-sanctions action on the page, in one query.
@pytest.mark.parametrize(("who", "expected"), [("fiona", 8), ("alice", 9), ("victor", 8)])
def test_the_actions_tracker_reads_a_fixed_number_of_queries(
    client, populated, personas, django_assert_num_queries, n, who, expected
):
    populated(n)
    page = get_counted(client, personas[who], reverse("alerts:action_tracker"), expected, django_assert_num_queries)
    assert page.count("Under way.") == 3 * n
    assert page.count("Update status") == (2 * n if who in ("fiona", "victor") else 0)


@pytest.mark.django_db
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("who", ["fiona", "alice", "victor"])
def test_the_notification_centre_reads_a_fixed_number_of_queries(
    client, populated, personas, django_assert_num_queries, n, who
):
    """Session, user, roles, the header's count, and the list with its cases, countries and alerts in one join."""
    populated(n)  # fiona has 2 in-app notifications per country; every persona gets copies of them
    for notification in Notification.objects.filter(recipient=personas["fiona"], channel="in_app"):
        for user in (personas["alice"], personas["victor"]):
            Notification.objects.create(
                recipient=user,
                escalation=notification.escalation,
                topic=notification.topic,
                channel=notification.channel,
                subject=notification.subject,
                body="Body.",
            )
    page = get_counted(client, personas[who], reverse("alerts:notification_list"), 5, django_assert_num_queries)
    assert page.count('id="notification-') == n  # the submission of each country's queued case


@pytest.mark.django_db
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize(("who", "expected"), [("fiona", 18), ("alice", 19), ("victor", 18)])
def test_the_overview_with_news_since_the_last_visit_reads_a_fixed_number_of_queries(
    client, populated, personas, django_assert_num_queries, n, who, expected
):
    """The news columns read two queries however many there are (one for the alerts, one for the decided cases and
    declarations), on top of the overview's own built afresh (with the data version that keys its cached pieces);
    analysts add one for their desks."""
    populated(n)
    UserViewState.objects.create(
        user=personas[who], last_seen_at=timezone.now() - dt.timedelta(days=2), filters={"overview": "desk="}
    )
    url = reverse("indicators:overview") + "?desk="
    page = get_counted(client, personas[who], url, expected, django_assert_num_queries)
    assert page.count('<span class="row-flag flag-imminent">Imminent risk</span> <a href') == n
