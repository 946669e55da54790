"""Reads the dashboards take from the other apps: alert and escalation counts, the country timeline, published
alert rules and the importers' dataset mappings. Imported lazily so the indicators app itself never depends on them
at import time (signals.py explains why)."""

from __future__ import annotations

from django.db.models import Count

from indicators.models import Country


def alert_counts_by_country() -> dict[int, tuple[int, int]]:
    """Open alerts and open escalations per country id, two queries for all countries. An escalation is open from
    submission until it is closed: a declared imminent risk or a case under monitoring still needs attention, and
    a draft is its author's alone."""
    from alerts.models import Alert, Escalation

    not_open = (Escalation.State.DRAFT, Escalation.State.CLOSED)
    in_progress = [state for state in Escalation.State if state not in not_open]
    alerts = dict(
        Alert.objects.filter(status__in=Alert.OPEN_STATUSES)
        .values_list("country_id")
        .annotate(n=Count("id"))
        .values_list("country_id", "n")
    )
    escalations = dict(
        Escalation.objects.filter(state__in=in_progress)
        .values_list("country_id")
        .annotate(n=Count("id"))
        .values_list("country_id", "n")
    )
    return {
        country_id: (alerts.get(country_id, 0), escalations.get(country_id, 0))
        for country_id in {*alerts, *escalations}
    }


def timeline_for_country(country: Country, *, viewer=None, limit: int = 30) -> list:
    """The country's trigger events, alerts and escalation steps, newest first, as the alerts app records them."""
    from alerts.selectors import timeline_for_country as alerts_timeline

    return list(alerts_timeline(country, viewer=viewer, limit=limit))


def alert_rules_published() -> list:
    from alerts.selectors import alert_rules_published as published

    return list(published())


def dataset_mappings_list() -> list[dict]:
    from indicators.importers.mappings import dataset_mappings

    return dataset_mappings()
