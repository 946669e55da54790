"""Reads of the bottom floor: a country's timeline, from the audit trail and the entries other apps register."""

from __future__ import annotations

from core import extensions
from core.models import AuditEvent

TIMELINE_LENGTH = 30


def audit_events_for_country(*, country, viewer=None, limit: int | None = TIMELINE_LENGTH):
    """The country's audit trail, newest first, less what the registered filters hide from this viewer."""
    queryset = (
        AuditEvent.objects.filter(country=country)
        .select_related("actor", "escalation", "alert")
        .order_by("-occurred_at", "-pk")
    )
    if viewer is not None:
        for timeline_filter in extensions.country_timeline_filters:
            queryset = queryset.filter(timeline_filter.restrict(viewer, country))
    return queryset[:limit] if limit else queryset


def _link(event) -> str | None:
    for link in extensions.country_timeline_links:
        url = link.url(event)
        if url:
            return url
    return None


def country_timeline(*, country, viewer=None, limit: int = TIMELINE_LENGTH) -> list:
    """What the country page's timeline shows: audit events (each with `url`, the page it links to) and the
    registered sources' entries, newest first."""
    events = list(audit_events_for_country(country=country, viewer=viewer, limit=limit))
    for event in events:
        event.url = _link(event)
    entries: list = [*events]
    for source in extensions.country_timeline_entries:
        entries.extend(source.entries(country, viewer, limit))
    if len(entries) > len(events):
        entries.sort(key=lambda entry: entry.occurred_at, reverse=True)
    return entries[:limit]
