"""Alert triage: how severe an alert is, how old, in which order to read them, grouped by country. Pure: alerts
(anything with rule_kind, details, raised_at and country) in, ordered lists out; no ORM, tested without a database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

URGENT, HIGH, ROUTINE = "urgent", "high", "routine"
SEVERITY_CHOICES = ((URGENT, "Urgent"), (HIGH, "High"), (ROUTINE, "Routine"))
SEVERITY_RANK = {URGENT: 0, HIGH: 1, ROUTINE: 2}
AGE_CHOICES = (("week", "Raised in the last 7 days"), ("month", "Raised in the last 30 days"), ("older", "Older"))
SORT_CHOICES = (("severity", "Most severe first"), ("newest", "Newest first"), ("oldest", "Oldest first"))


def alert_severity(rule_kind: str, details: Mapping[str, Any]) -> str:
    """Urgent: a serious specific-crime indicator, a trigger event, or a very high band. High: a high band or a
    sharp rise. Routine: coverage going stale, which asks for new evidence rather than action."""
    if rule_kind in ("serious_specific_indicator", "trigger_event"):
        return URGENT
    if rule_kind == "band_reached":
        return URGENT if details.get("band") == "very_high" else HIGH
    if rule_kind == "sharp_rise":
        return HIGH
    return ROUTINE


def raised_window(age: str, now: dt.datetime) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(raised at or after, raised before) for an age filter value; (None, None) for no filter."""
    if age == "week":
        return now - dt.timedelta(days=7), None
    if age == "month":
        return now - dt.timedelta(days=30), None
    if age == "older":
        return None, now - dt.timedelta(days=30)
    return None, None


def alerts_sorted(alerts: Iterable, order: str) -> list:
    """Most severe first (newest first within a severity), newest first, or oldest first."""
    alerts = list(alerts)
    if order == "oldest":
        return sorted(alerts, key=lambda alert: (alert.raised_at, alert.pk))
    if order == "newest":
        return sorted(alerts, key=lambda alert: (alert.raised_at, alert.pk), reverse=True)
    alerts.sort(key=lambda alert: (alert.raised_at, alert.pk), reverse=True)
    return sorted(alerts, key=lambda alert: SEVERITY_RANK[alert.severity])


def alerts_by_country(alerts: Iterable) -> list[tuple[Any, list]]:
    """(country, its alerts in the given order), the country with the most severe alert first, then by name."""
    groups: dict[int, list] = {}
    countries = {}
    for alert in alerts:
        groups.setdefault(alert.country_id, []).append(alert)
        countries[alert.country_id] = alert.country
    return sorted(
        ((countries[pk], items) for pk, items in groups.items()),
        key=lambda pair: (min(SEVERITY_RANK[alert.severity] for alert in pair[1]), pair[0].name),
    )


def quotes_current_score(
    details: Mapping[str, Any], *, current_overall: float | None, current_band: str | None
) -> bool:
    """Whether the alert's own message may be shown: an alert quoting an overall score or a band that is not what
    the overview shows now (or quoting one for a country the overview shows as not scored) must not be quoted."""
    if "overall" in details:
        quoted = details.get("overall")
        if current_overall is None or quoted is None:
            return False
        return round(float(quoted), 1) == round(float(current_overall), 1)
    if "band" in details:
        return details.get("band") == current_band
    return True
