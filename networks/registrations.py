"""What the networks app adds to the pages of the floors below it, through core.extensions (called from ready()):
the country page's network card and button, the escalation page's actors card, a sanctions action's targets on
the actions tracker, network edits on the country timeline, and the `ftm` importer source."""

from __future__ import annotations

from django.urls import reverse

from core import extensions
from core.roles import can_link_actors, can_read
from indicators.page_cache import page_piece
from networks import selectors
from networks.services import ftm_import_source_run


def _network_url(request, country) -> str | None:
    return reverse("networks:country_network", args=[country.iso3]) if can_read(request.user) else None


def _country_panel(request, country) -> dict | None:
    if not can_read(request.user):
        return None
    # The same for every reader until the network changes (its versions are part of the data version).
    summary = page_piece(
        request, "network-summary", country.iso3, build=lambda: selectors.network_summary(country=country)
    )
    return {"country": country, **summary}


def _escalation_panel(request, escalation) -> dict | None:
    if not can_read(request.user):
        return None
    return {
        "escalation": escalation,
        "links": selectors.escalation_actors(escalation=escalation),
        "targets": selectors.escalation_sanction_targets(escalation=escalation),
        "may_link": can_link_actors(request.user, escalation.country),
    }


def _action_targets(request, actions) -> dict[int, dict]:
    if not can_read(request.user):
        return {}
    found = selectors.action_targets_by_action(actions=actions)
    return {pk: {"targets": actors} for pk, actors in found.items()}


def _timeline_link(event) -> str | None:
    """A network edit links to the actor it changed (a relationship to its source), an import to the network."""
    if not event.kind.startswith("network_"):
        return None
    details = event.details or {}
    if details.get("actor_id"):
        return reverse("networks:actor_detail", args=[details["actor_id"]])
    if details.get("iso3"):
        return reverse("networks:country_network", args=[details["iso3"]])
    return None


def register() -> None:
    extensions.country_detail_actions.register(
        extensions.PageAction(name="networks.network", label="Actor network", url=_network_url, order=30)
    )
    extensions.country_detail_panels.register(
        extensions.Panel(
            name="networks.summary", template="networks/_country_panel.html", context=_country_panel, order=40
        )
    )
    extensions.escalation_detail_panels.register(
        extensions.Panel(
            name="networks.actors", template="networks/_escalation_panel.html", context=_escalation_panel, order=20
        )
    )
    extensions.action_tracker_details.register(
        extensions.RowDetail(
            name="networks.sanction_targets", template="networks/_action_targets.html", values=_action_targets
        )
    )
    extensions.country_timeline_links.register(extensions.TimelineLink(name="networks.edit", url=_timeline_link))
    extensions.importer_sources.register(
        extensions.ImporterSource(
            name="ftm",
            label="FollowTheMoney actor network (JSON lines)",
            run=ftm_import_source_run,
            description=(
                "Persons, organisations, companies, vessels and aircraft, and their ties and sanctions, as "
                "OpenSanctions and Aleph export them; entities of other schemata are counted and listed."
            ),
            analyst_may_upload=True,
            takes_default_country=True,
        )
    )
