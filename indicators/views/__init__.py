"""Dashboard pages, a module per page family: the overview (map, ranking, export), the country page (with batch
assessment entry and the recompute status it polls), and the reference pages (methodology, sources, search). Thin:
reads come from selectors, writes from services, figures from charts."""

from indicators.views.country_page import assessment_create, country_detail, country_indicators, score_status
from indicators.views.dashboard import overview, overview_export
from indicators.views.reference import country_search, country_search_index, data_sources, methodology

__all__ = [
    "assessment_create",
    "country_detail",
    "country_indicators",
    "country_search",
    "country_search_index",
    "data_sources",
    "methodology",
    "overview",
    "overview_export",
    "score_status",
]
