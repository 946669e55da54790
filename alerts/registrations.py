"""What the alerts app adds to the pages of the floors below it, through core.extensions (called from ready())."""

from __future__ import annotations

from django.urls import reverse

from alerts.selectors import alert_rules_published, open_counts_by_country, timeline_visibility
from core import extensions
from core.roles import can_escalate


def _escalate_url(request, country) -> str | None:
    if not can_escalate(request.user, country):
        return None
    return reverse("alerts:escalation_create", kwargs={"iso3": country.iso3})


def _escalation_link(event) -> str | None:
    return reverse("alerts:escalation_detail", args=[event.escalation_id]) if event.escalation_id else None


def _rules_panel(request, obj) -> dict:
    return {"alert_rules": list(alert_rules_published())}


def register() -> None:
    extensions.country_detail_actions.register(
        extensions.PageAction(name="escalate", label="Escalate", url=_escalate_url, css_class="button danger")
    )
    extensions.country_timeline_filters.register(
        extensions.TimelineFilter(name="alerts.escalation_visibility", restrict=timeline_visibility)
    )
    extensions.country_timeline_links.register(extensions.TimelineLink(name="alerts.escalation", url=_escalation_link))
    extensions.overview_columns.register(extensions.OverviewColumn(name="open_alerts", label="Open alerts", order=10))
    extensions.overview_columns.register(
        extensions.OverviewColumn(
            name="open_escalations",
            label="Open escalations",
            title="Submitted and not yet closed, including declared imminent risk and monitoring",
            order=11,
        )
    )
    extensions.overview_row_annotations.register(
        extensions.RowAnnotation(
            name="alerts.open_counts", columns=("open_alerts", "open_escalations"), values=open_counts_by_country
        )
    )
    extensions.methodology_panels.register(
        extensions.Panel(name="alerts.rules", template="alerts/_methodology_rules.html", context=_rules_panel)
    )
