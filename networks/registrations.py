"""What the networks app adds to the pages of the floors below it, through core.extensions (called from ready()):
the country page's network card and button, the escalation page's actors card, and the `ftm` importer source."""

from __future__ import annotations

from django.urls import reverse

from core import extensions
from core.roles import can_link_actors, can_read
from networks import selectors
from networks.services import ftm_import_source_run


def _network_url(request, country) -> str | None:
    return reverse("networks:country_network", args=[country.iso3]) if can_read(request.user) else None


def _country_panel(request, country) -> dict | None:
    if not can_read(request.user):
        return None
    return {"country": country, **selectors.network_summary(country=country)}


def _escalation_panel(request, escalation) -> dict | None:
    if not can_read(request.user):
        return None
    return {
        "escalation": escalation,
        "links": selectors.escalation_actors(escalation=escalation),
        "targets": selectors.escalation_sanction_targets(escalation=escalation),
        "may_link": can_link_actors(request.user, escalation.country),
    }


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
        )
    )
