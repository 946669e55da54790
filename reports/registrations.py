"""What the reports app adds to the pages below it, through core.extensions (called from ready())."""

from __future__ import annotations

from django.urls import reverse

from core import extensions
from core.roles import can_read


def _brief_url(request, country) -> str | None:
    return reverse("reports:country_brief", args=[country.iso3]) if can_read(request.user) else None


def register() -> None:
    extensions.country_detail_actions.register(
        extensions.PageAction(name="reports.brief", label="Brief", url=_brief_url, css_class="button", order=90)
    )
    extensions.header_items.register(
        extensions.HeaderItem(
            name="reports",
            label="Reports",
            url_name="reports:report_list",
            visible=lambda request: can_read(request.user),
            active=lambda request: getattr(request.resolver_match, "app_name", "") == "reports",
            order=50,
        )
    )
