"""What the alerts app adds to the pages of the floors below it, through core.extensions (called from ready())."""

from __future__ import annotations

from django.urls import reverse

from alerts.selectors import (
    NOTIFICATIONS,
    alert_rules_published,
    declaration_latest,
    declarations_standing,
    notifications_unread_count,
    open_counts_by_country,
    since_visit_news,
    timeline_visibility,
)
from alerts.services.alerts import ALERTS_AND_CASES
from core import extensions
from core.roles import Role, can_escalate, can_view_escalation, has_role, user_roles
from core.user_cache import page_scope_register
from indicators.page_cache import page_piece, user_page_piece


def _escalate_url(request, country) -> str | None:
    if not can_escalate(request.user, country):
        return None
    return reverse("alerts:escalation_create", kwargs={"iso3": country.iso3})


def _escalation_link(event) -> str | None:
    return reverse("alerts:escalation_detail", args=[event.escalation_id]) if event.escalation_id else None


def _timeline_allows(viewer, country, event) -> bool:
    """timeline_visibility for one loaded event: no escalation, or one of this country the viewer may open."""
    escalation = event.escalation
    if escalation is None:
        return True
    return escalation.country_id == country.pk and can_view_escalation(
        viewer, country=country, created_by_id=escalation.created_by_id, state=escalation.state
    )


def _rules_panel(request, obj) -> dict:
    return {"alert_rules": list(alert_rules_published()), "alerts_and_cases": ALERTS_AND_CASES}


def _imminent_risk_banner(request, country) -> dict | None:
    """A declaration of imminent risk in force is shown to every role at the top of the country page; the link to
    the case only to those who may open it."""
    # The same for every reader until an escalation changes (an audit event, so a new data version).
    found = page_piece(
        request, "imminent-risk", country.iso3, build=lambda: _declaration_with_actions(declaration_latest(country))
    )
    declaration, actions = found
    if declaration is None:
        return None
    readable = can_view_escalation(
        request.user, country=country, created_by_id=declaration.created_by_id, state=declaration.state
    )
    return {
        "declaration": declaration,
        "actions": actions,
        "case_url": reverse("alerts:escalation_detail", args=[declaration.pk]) if readable else None,
    }


def _declaration_with_actions(declaration) -> tuple:
    """A pair, never None, so that "no declaration" is kept in the cache too."""
    return (declaration, list(declaration.actions.all()) if declaration is not None else [])


def _since_visit_panel(request, since) -> dict | None:
    """New alerts, decisions and declarations in the user's scope since their previous visit to the overview."""
    # Built from alerts and escalations (their changes are audited, so part of the data version) in this user's scope.
    news = user_page_piece(
        request, "since-visit", since.isoformat(), build=lambda: {"news": since_visit_news(request.user, since=since)}
    )["news"]
    if news is None:
        return None
    return {**news, "all_countries": has_role(request.user, Role.FOCAL_POINT, Role.VIEWER, Role.ADMINISTRATOR)}


def _notifications_visible(request) -> bool:
    return bool(user_roles(request.user))


def _notifications_active(request) -> bool:
    return getattr(request.resolver_match, "url_name", "") == "notification_list"


def register() -> None:
    page_scope_register(NOTIFICATIONS)  # the header's badge on every page
    extensions.header_items.register(
        extensions.HeaderItem(
            name="notifications",
            label="Notifications",
            url_name="alerts:notification_list",
            visible=_notifications_visible,
            active=_notifications_active,
            badge=lambda request: notifications_unread_count(request.user),
            badge_label="{n} unread",
            order=40,
        )
    )
    extensions.overview_since_visit_panels.register(
        extensions.Panel(name="alerts.news", template="alerts/_since_visit.html", context=_since_visit_panel, order=10)
    )
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
        extensions.TimelineFilter(
            name="alerts.escalation_visibility", restrict=timeline_visibility, allows=_timeline_allows
        )
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
