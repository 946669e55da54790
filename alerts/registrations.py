"""What the alerts app adds to the pages of the floors below it, through core.extensions (called from ready())."""

from __future__ import annotations

from django.urls import reverse

from alerts.selectors import (
    alert_rules_published,
    declaration_latest,
    declarations_standing,
    open_counts_by_country,
    timeline_visibility,
)
from alerts.services.alerts import ALERTS_AND_CASES
from core import extensions
from core.roles import can_escalate, can_view_escalation


def _escalate_url(request, country) -> str | None:
    if not can_escalate(request.user, country):
        return None
    return reverse("alerts:escalation_create", kwargs={"iso3": country.iso3})


def _escalation_link(event) -> str | None:
    return reverse("alerts:escalation_detail", args=[event.escalation_id]) if event.escalation_id else None


def _rules_panel(request, obj) -> dict:
    return {"alert_rules": list(alert_rules_published()), "alerts_and_cases": ALERTS_AND_CASES}


def _imminent_risk_banner(request, country) -> dict | None:
    """A declaration of imminent risk in force is shown to every role at the top of the country page; the link to
    the case only to those who may open it."""
    declaration = declaration_latest(country)
    if declaration is None:
        return None
    readable = can_view_escalation(
        request.user, country=country, created_by_id=declaration.created_by_id, state=declaration.state
    )
    return {
        "declaration": declaration,
        "actions": list(declaration.actions.all()),
        "case_url": reverse("alerts:escalation_detail", args=[declaration.pk]) if readable else None,
    }


def register() -> None:
    extensions.country_detail_banners.register(
        extensions.Panel(
            name="alerts.imminent_risk", template="alerts/_imminent_risk_banner.html", context=_imminent_risk_banner
        )
    )
    extensions.overview_row_flags.register(
        extensions.RowFlag(name="alerts.imminent_risk", flags=declarations_standing, css_class="row-flag flag-imminent")
    )
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
