"""The alerts triage page: severity, age, order and grouping (pure), filters remembered per user, bulk acknowledge
with a reason, and no alert quoting a score the overview does not show."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alerts import triage
from alerts.models import Alert, AlertRule
from core.models import AuditEvent
from tests.alerts.factories import CountryScoreFactory, ScoreRunFactory

NOW = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)


def fake(pk, kind, days_old, country="Alphaland", country_id=1, **details):
    alert = SimpleNamespace(
        pk=pk,
        rule_kind=kind,
        details=details,
        raised_at=NOW - dt.timedelta(days=days_old),
        country_id=country_id,
        country=SimpleNamespace(name=country),
    )
    alert.severity = triage.alert_severity(kind, details)
    return alert


def test_severity_puts_genocide_indicators_and_very_high_bands_above_stale_coverage():
    """A serious specific-crime indicator is urgent; a high band is high; stale coverage is routine."""
    assert triage.alert_severity("serious_specific_indicator", {}) == "urgent"
    assert triage.alert_severity("band_reached", {"band": "very_high"}) == "urgent"
    assert triage.alert_severity("band_reached", {"band": "high"}) == "high"
    assert triage.alert_severity("stale_coverage", {"band": "very_high"}) == "routine"


def test_alerts_sort_by_severity_then_newest_and_group_by_country_most_severe_first():
    """The buried genocide-indicator alert comes first, and its country heads the groups."""
    alerts = [
        fake(1, "stale_coverage", 1, country="Western Sahara", country_id=2),
        fake(2, "serious_specific_indicator", 40, country="Sudan", country_id=3),
        fake(3, "band_reached", 2, band="high", country="Sudan", country_id=3),
        fake(4, "stale_coverage", 5, country="Western Sahara", country_id=2),
    ]
    assert [a.pk for a in triage.alerts_sorted(alerts, "severity")] == [2, 3, 1, 4]
    assert [a.pk for a in triage.alerts_sorted(alerts, "oldest")] == [2, 4, 3, 1]
    groups = triage.alerts_by_country(triage.alerts_sorted(alerts, "severity"))
    assert [(country.name, [a.pk for a in items]) for country, items in groups] == [
        ("Sudan", [2, 3]),
        ("Western Sahara", [1, 4]),
    ]


def test_age_filters_are_windows_on_when_the_alert_was_raised():
    """A week, a month, or older than a month."""
    assert triage.raised_window("week", NOW) == (NOW - dt.timedelta(days=7), None)
    assert triage.raised_window("older", NOW) == (None, NOW - dt.timedelta(days=30))
    assert triage.raised_window("", NOW) == (None, None)


def test_an_alert_may_quote_only_the_score_and_band_the_overview_shows():
    """A quoted 66.7 is hidden when the overview shows another score or no score at all."""
    quoted = {"overall": 66.7, "band": "high"}
    assert triage.quotes_current_score(quoted, current_overall=66.71, current_band="high")
    assert not triage.quotes_current_score(quoted, current_overall=70.0, current_band="high")
    assert not triage.quotes_current_score(quoted, current_overall=None, current_band=None)
    assert not triage.quotes_current_score({"band": "high"}, current_overall=40.0, current_band="moderate")
    assert triage.quotes_current_score({"title": "ICJ order"}, current_overall=None, current_band=None)


def open_alert(country, kind="band_reached", **details):
    rule = AlertRule.objects.get(kind=kind, is_active=True)
    return Alert.objects.create(
        rule=rule, rule_kind=kind, country=country, message="Overall score 66.7 is in band High.", details=details
    )


@pytest.mark.django_db
def test_an_analyst_lands_on_their_desks_alerts_and_their_filters_come_back(client, alice, country_a, country_b):
    """My desks first; then whatever the analyst chose last, after navigating away and back."""
    open_alert(country_a)
    open_alert(country_b)
    client.force_login(alice)
    response = client.get(reverse("alerts:alert_list"), follow=True)
    assert response.redirect_chain[0][0].endswith("?desk=mine")
    assert [a.country.iso3 for a in response.context["open_alerts"]] == ["QAA"]
    client.get(reverse("alerts:alert_list"), {"desk": "", "rule": "band_reached", "group": "on"})
    client.get(reverse("indicators:methodology"))
    assert client.get(reverse("alerts:alert_list"))["Location"].endswith("?desk=&rule=band_reached&group=on")


@pytest.mark.django_db
def test_filters_by_country_severity_and_age(client, fiona, country_a, country_b):
    """Each filter narrows the list; severity is judged from the rule and what it saw."""
    old = open_alert(country_a, kind="stale_coverage", band="high")
    Alert.objects.filter(pk=old.pk).update(raised_at=timezone.now() - dt.timedelta(days=60))
    open_alert(country_b, band="very_high")
    client.force_login(fiona)
    url = reverse("alerts:alert_list")
    shown = lambda **query: [a.pk for a in client.get(url, query).context["open_alerts"]]  # noqa: E731
    assert len(shown(sort="severity")) == 2
    assert shown(severity="routine") == [old.pk]
    assert shown(country="QBB") != [old.pk] and len(shown(country="QBB")) == 1
    assert shown(age="older") == [old.pk]
    assert shown(age="week", severity="routine") == []


@pytest.mark.django_db
def test_bulk_acknowledge_needs_a_reason_and_records_it_for_each_alert(client, fiona, country_a, country_b):
    """Ticked alerts are acknowledged with the one reason, which lands in each alert's audit entry."""
    first, second = open_alert(country_a), open_alert(country_b)
    client.force_login(fiona)
    url = reverse("alerts:alerts_acknowledge")
    client.post(url, {"alerts": [first.pk, second.pk], "reason": ""})
    assert Alert.objects.filter(status="acknowledged").count() == 0
    response = client.post(
        url, {"alerts": [first.pk, second.pk], "reason": "Covered by this week's brief."}, follow=True
    )
    assert "2 alerts acknowledged." in response.content.decode()
    assert set(Alert.objects.filter(status="acknowledged").values_list("pk", flat=True)) == {first.pk, second.pk}
    reasons = AuditEvent.objects.filter(kind="alert_acknowledged").values_list("reason", flat=True)
    assert list(reasons) == ["Covered by this week's brief."] * 2


@pytest.mark.django_db
def test_bulk_acknowledge_refuses_another_desks_alerts_and_keeps_the_rest(client, alice, country_a, country_b):
    """An analyst's tick on another desk's alert is refused by name; their own is acknowledged."""
    mine, theirs = open_alert(country_a), open_alert(country_b)
    client.force_login(alice)
    response = client.post(
        reverse("alerts:alerts_acknowledge"), {"alerts": [mine.pk, theirs.pk], "reason": "Seen."}, follow=True
    )
    body = response.content.decode()
    assert "1 alert acknowledged." in body and "Not acknowledged: Betaland" in body
    assert Alert.objects.get(pk=theirs.pk).status == "open"


@pytest.mark.django_db
def test_an_alert_quoting_a_score_the_overview_does_not_show_is_not_quoted(client, victor, country_a):
    """The page shows the overview's figure now, and hides the alert's own figure when it differs."""
    run = ScoreRunFactory()
    CountryScoreFactory(country=country_a, run=run, month=dt.date(2026, 10, 1), overall=None, band="")
    open_alert(country_a, overall=66.7, band="high")
    client.force_login(victor)
    response = client.get(reverse("alerts:alert_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "66.7" not in body
    assert "Overview now: not scored" in body


def alert_list_page(client) -> str:
    response = client.get(reverse("alerts:alert_list"), follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_refused_dismissal_keeps_the_reason_once(client, alice, fiona, country_a):
    """The Focal Point dismissed the alert first: the analyst's dismissal is refused with the reason why, and what
    they wrote is shown to copy (the alert has left the open list); it is shown once."""
    alert = open_alert(country_a)
    client.force_login(fiona)
    client.post(reverse("alerts:alert_dismiss", args=[alert.pk]), {"reason": "Known."})
    client.force_login(alice)
    reason = "Duplicate of the band alert raised on Monday; covered by the desk brief."
    response = client.post(reverse("alerts:alert_dismiss", args=[alert.pk]), {"reason": reason})
    assert response.status_code == 302
    page = alert_list_page(client)
    assert "This alert is already dismissed." in page
    assert f'aria-label="What you wrote, not saved">{reason}</textarea>' in page
    assert reason not in alert_list_page(client)


@pytest.mark.django_db
def test_a_dismissal_refused_while_the_alert_is_open_reopens_its_form_with_the_reason(
    client, alice, country_a, monkeypatch
):
    """A refusal that leaves the alert open puts the reason back in that alert's own form, opened."""
    alert = open_alert(country_a)

    def refuse(**kwargs):
        raise ValidationError("The desk is being reassigned; try again in a minute.")

    monkeypatch.setattr("alerts.services.alert_dismiss", refuse)
    client.force_login(alice)
    reason = "Stale coverage only; the dataset is updated next week."
    client.post(reverse("alerts:alert_dismiss", args=[alert.pk]), {"reason": reason})
    page = alert_list_page(client)
    assert "try again in a minute" in page
    assert f'form="dismiss-{alert.pk}">{reason}</textarea>' in page and "<details open><summary>Dismiss" in page
    assert "What you wrote, not saved" not in page


@pytest.mark.django_db
def test_a_refused_bulk_acknowledgement_keeps_the_reason_and_the_ticks_once(client, fiona, country_a, country_b):
    """Nothing ticked, or nothing acknowledged: the bulk form opens again with the reason (and ticks) given."""
    first, second = open_alert(country_a), open_alert(country_b)
    client.force_login(fiona)
    reason = "Covered by the weekly brief to the Minister."
    response = client.post(reverse("alerts:alerts_acknowledge"), {"reason": reason})
    assert response.status_code == 302
    page = alert_list_page(client)
    assert "Tick the alerts." in page
    assert f'id="bulk-reason" rows="2" required>{reason}</textarea>' in page
    assert '<details class="bulk-ack" open>' in page
    assert reason not in alert_list_page(client)
    client.post(reverse("alerts:alerts_acknowledge"), {"alerts": [first.pk, second.pk], "reason": " "})
    page = alert_list_page(client)
    assert f'id="tick-{first.pk}" checked' in page and f'id="tick-{second.pk}" checked' in page
    assert Alert.objects.filter(status="acknowledged").count() == 0
