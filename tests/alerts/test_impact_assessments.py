"""Trigger events open an Atrocity Impact Assessment that can be completed only when every area is filled."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alerts import services
from alerts.models import AIA_AREAS, AtrocityImpactAssessment
from core.models import AuditEvent


@pytest.fixture
def aia(country_a, alice):
    return services.trigger_event_record(
        country=country_a,
        user=alice,
        kind="commission_of_inquiry",
        title="UN fact-finding mission report",
        occurred_on=timezone.localdate() - dt.timedelta(days=3),
        owner=alice,
        due_on=timezone.localdate() + dt.timedelta(days=14),
    )


@pytest.mark.django_db
def test_a_trigger_event_opens_an_assessment_with_the_eight_areas(aia, country_a):
    assert aia.status == "open" and aia.country == country_a
    assert [label for _, label, _ in aia.areas] == [label for _, label in AIA_AREAS]
    assert len(aia.missing_areas) == 8
    assert AuditEvent.objects.filter(kind="trigger_event", country=country_a).exists()


@pytest.mark.django_db
def test_an_assessment_cannot_be_completed_while_an_area_is_empty(aia, alice):
    services.impact_assessment_update(aia=aia, user=alice, areas={field: "Filled." for field, _ in AIA_AREAS[:7]})
    with pytest.raises(ValidationError, match="Still empty: Risk of sexual and gender-based violence"):
        services.impact_assessment_complete(aia=aia, user=alice)
    aia.refresh_from_db()
    assert aia.status == "open"
    services.impact_assessment_update(aia=aia, user=alice, areas={"sgbv_risk": "High: reports of systematic rape."})
    done = services.impact_assessment_complete(aia=aia, user=alice)
    assert done.status == "completed" and done.completed_by == alice


@pytest.mark.django_db
def test_the_page_refuses_completion_with_a_message_naming_the_empty_areas(client, aia, alice):
    client.force_login(alice)
    data = {field: "" for field, _ in AIA_AREAS} | {"leverage_over_perpetrators": "Some.", "complete": "1"}
    response = client.post(reverse("alerts:impact_assessment_detail", args=[aia.pk]), data)
    assert response.status_code == 400
    assert "Still empty: Ability to disrupt the logistics of atrocity" in response.content.decode()
    aia.refresh_from_db()
    assert aia.status == "open" and aia.leverage_over_perpetrators == "Some."


@pytest.mark.django_db
def test_viewers_read_assessments_but_cannot_edit_them(client, aia, victor):
    client.force_login(victor)
    assert client.get(reverse("alerts:impact_assessment_detail", args=[aia.pk])).status_code == 200
    data = {field: "x" for field, _ in AIA_AREAS}
    assert client.post(reverse("alerts:impact_assessment_detail", args=[aia.pk]), data).status_code == 403
    assert AtrocityImpactAssessment.objects.get(pk=aia.pk).leverage_over_perpetrators == ""


@pytest.mark.django_db
def test_recording_a_trigger_event_names_every_bad_field(country_a, alice, victor):
    with pytest.raises(ValidationError) as refused:
        services.trigger_event_record(
            country=country_a,
            user=alice,
            kind="rumour",
            title=" ",
            occurred_on=timezone.localdate() + dt.timedelta(days=1),
            owner=victor,
            due_on=timezone.localdate() - dt.timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"kind", "title", "occurred_on", "owner", "due_on"}
    assert not AtrocityImpactAssessment.objects.exists()


LONG_LINK = "https://example.org/" + "a" * 600


@pytest.mark.django_db
def test_a_source_link_longer_than_the_record_keeps_is_refused_naming_the_limit(client, country_a, alice):
    """A 620-character link is refused on the form and by the service, with the limit, and nothing is recorded."""
    with pytest.raises(ValidationError) as refused:
        services.trigger_event_record(
            country=country_a,
            user=alice,
            kind="commission_of_inquiry",
            title="Report",
            occurred_on=timezone.localdate(),
            owner=alice,
            due_on=timezone.localdate() + dt.timedelta(days=14),
            source_url=LONG_LINK,
        )
    assert "500 characters" in refused.value.message_dict["source_url"][0]
    client.force_login(alice)
    response = client.post(
        reverse("alerts:trigger_event_create", args=[country_a.iso3]),
        {
            "kind": "commission_of_inquiry",
            "title": "Report",
            "occurred_on": timezone.localdate().isoformat(),
            "source_url": LONG_LINK,
            "owner": alice.pk,
            "due_on": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "at most 500 characters" in response.content.decode()
    assert not AtrocityImpactAssessment.objects.exists()


@pytest.mark.django_db
def test_the_trigger_event_form_fills_its_date_pickers_with_dates_the_browser_accepts(client, country_a, alice):
    """type=date inputs take only ISO dates; a localised default would show as an empty field."""
    client.force_login(alice)
    page = client.get(reverse("alerts:trigger_event_create", args=[country_a.iso3])).content.decode()
    today = timezone.localdate()
    assert f'name="occurred_on" value="{today:%Y-%m-%d}"' in page
    assert f'name="due_on" value="{today + dt.timedelta(days=14):%Y-%m-%d}"' in page


def test_each_area_of_an_impact_assessment_says_what_to_write(client, alice, country_a):
    """The edit form shows guidance under every area, so the owner knows what each one asks."""
    from alerts.forms import AIA_GUIDANCE

    aia = services.trigger_event_record(
        country=country_a,
        user=alice,
        kind="court_finding",
        title="ICJ order",
        occurred_on=timezone.localdate(),
        owner=alice,
        due_on=timezone.localdate(),
    )
    client.force_login(alice)
    body = client.get(reverse("alerts:impact_assessment_detail", args=[aia.pk])).content.decode()
    assert set(AIA_GUIDANCE) == {field for field, _ in AIA_AREAS}
    assert body.count('class="muted small aia-guidance"') == len(AIA_AREAS)


@pytest.mark.django_db
def test_a_partial_post_changes_only_the_areas_it_sends(client, aia, alice):
    """A stale page or a client sending one area leaves every area it does not send as stored; an area sent empty is
    emptied. The audit entry names only the areas that changed."""
    services.impact_assessment_update(
        aia=aia, user=alice, areas={field: f"{label}: assessed." for field, label in AIA_AREAS}
    )
    client.force_login(alice)
    url = reverse("alerts:impact_assessment_detail", args=[aia.pk])
    response = client.post(url, {"sgbv_risk": "High: reports of systematic rape.", "leverage_over_perpetrators": ""})
    assert response.status_code == 302
    aia.refresh_from_db()
    expected = {field: f"{label}: assessed." for field, label in AIA_AREAS}
    expected |= {"sgbv_risk": "High: reports of systematic rape.", "leverage_over_perpetrators": ""}
    assert {field: getattr(aia, field) for field, _ in AIA_AREAS} == expected
    latest = AuditEvent.objects.filter(kind="aia_updated").latest("pk")
    assert latest.summary.endswith(
        "updated: Leverage over likely perpetrators, Risk of sexual and gender-based violence."
    )


@pytest.mark.django_db
def test_a_refused_partial_post_shows_the_stored_areas_it_did_not_send(client, aia, alice):
    """Completion refused on a partial POST: the page comes back (400) with the sent text and, for the other areas,
    what is stored, so saving that page again blanks nothing."""
    services.impact_assessment_update(aia=aia, user=alice, areas={"legal_avenues": "Land disputes since 2019."})
    client.force_login(alice)
    url = reverse("alerts:impact_assessment_detail", args=[aia.pk])
    response = client.post(url, {"sgbv_risk": "Unknown so far.", "complete": "1"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Still empty" in body
    assert "Land disputes since 2019.</textarea>" in body and "Unknown so far.</textarea>" in body
