"""Reads of the bottom floor: a country's timeline, from the audit trail and the entries other apps register."""

from __future__ import annotations

from core import extensions
from core.models import AuditEvent

TIMELINE_LENGTH = 30
# Events kept for every reader, of which each viewer's timeline shows the newest TIMELINE_LENGTH they may read.
TIMELINE_KEPT = 4 * TIMELINE_LENGTH


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


def country_timeline_recent(*, country, limit: int = TIMELINE_KEPT) -> list:
    """The country's newest audit events for any reader, each with `url`: what a page may keep for everyone and
    filter per viewer with country_timeline(recent=...)."""
    events = list(audit_events_for_country(country=country, viewer=None, limit=limit))
    for event in events:
        event.url = _link(event)
    return events


def country_timeline(*, country, viewer=None, limit: int = TIMELINE_LENGTH, recent: list | None = None) -> list:
    """What the country page's timeline shows: audit events (each with `url`, the page it links to) and the
    registered sources' entries, newest first. With `recent` (country_timeline_recent's list) the events are that
    list less what the filters' `allows` hide from the viewer, when that is known to be complete; else queried."""
    events = _visible_recent(recent, country=country, viewer=viewer, limit=limit)
    if events is None:
        events = list(audit_events_for_country(country=country, viewer=viewer, limit=limit))
        for event in events:
            event.url = _link(event)
    entries: list = [*events]
    for source in extensions.country_timeline_entries:
        entries.extend(source.entries(country, viewer, limit))
    if len(entries) > len(events):
        entries.sort(key=lambda entry: entry.occurred_at, reverse=True)
    return entries[:limit]


def _visible_recent(recent: list | None, *, country, viewer, limit: int) -> list | None:
    """The newest `limit` events of `recent` this viewer may read, or None when that cannot be told from it (a filter
    without `allows`, or too few readable events in a list that stops before the country's oldest)."""
    filters = list(extensions.country_timeline_filters)
    if recent is None or viewer is None or any(item.allows is None for item in filters):
        return None
    shown = [event for event in recent if all(item.allows(viewer, country, event) for item in filters)]
    if len(shown) < limit and len(recent) >= TIMELINE_KEPT:
        return None
    return shown[:limit]
