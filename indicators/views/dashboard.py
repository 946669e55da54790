"""The overview: the world map and its layers, the ranking with its filters and sorting, "since your last visit",
and the CSV export of what the ranking shows."""

from __future__ import annotations

import csv
import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core import extensions
from core.roles import ALL_ROLES, role_required, user_desk_ids
from core.spreadsheet import spreadsheet_safe
from indicators import charts
from indicators.data_version import conditional_response, not_modified_or_none
from indicators.filters import MY_DESKS, CountryScoreFilter
from indicators.models import Methodology
from indicators.page_cache import page_piece, session_page_response
from indicators.scoring.core import band_for
from indicators.selectors import (
    SCORE_RECORD_COLUMNS,
    countries_unscored_count,
    country_scores_latest,
    methodology_active,
    score_risers,
    score_run_ids_finished_since,
    score_run_latest,
    view_state_filters,
)
from indicators.services import (
    view_state_page_seen,
)
from indicators.views.common import CRIME_GROUP_LABELS, thresholds_of

TABLE_COLUMNS = (
    # (sort key, label, numeric)
    ("country", "Country", False),
    ("overall", "Overall", True),
    ("genocide", "Genocide", True),
    ("crimes_against_humanity", "Crimes against humanity", True),
    ("war_crimes", "War crimes", True),
    ("change_3m", "3-month change", True),
    ("change_12m", "12-month change", True),
    ("coverage", "Coverage", True),
    ("data_confidence", "Data confidence", True),
    ("last_assessed", "Last assessed", True),
)
# The ranking opens on the countries a person reads (the highest risk first); "Show all" lists every one.
RANKING_ROWS_SHOWN = 50
CSV_HEADER = (
    "iso3",
    "country",
    "region",
    "desk",
    "month",
    "methodology_version",
    "score_shown",
    *SCORE_RECORD_COLUMNS,
    "last_assessed",
)


def _filtered_scores(request, methodology: Methodology | None) -> tuple[CountryScoreFilter, list]:
    filterset = CountryScoreFilter(
        request.GET,
        request=request,
        queryset=country_scores_latest(methodology=methodology, with_last_assessed=True),
        band_thresholds=thresholds_of(methodology),
    )
    scores = list(filterset.qs)
    if not user_desk_ids(request.user):  # "My desks" means nothing to someone without a desk
        field = filterset.form.fields["desk"]
        field.choices = [choice for choice in field.choices if choice[0] != MY_DESKS]
    thresholds = thresholds_of(methodology)
    for score in scores:
        score.focus_band = "insufficient" if score.insufficient_data else band_for(score.focus_score, thresholds)
    _annotate_extra_columns(scores)
    return filterset, scores


def _annotate_extra_columns(scores: list) -> None:
    """Give each row `extra`: the values of the columns other apps add (core.extensions.overview_columns)."""
    values: dict[int, dict] = {}
    defaults: dict[str, object] = {}
    country_ids = [score.country_id for score in scores]
    for annotation in extensions.overview_row_annotations:
        defaults.update(dict.fromkeys(annotation.columns, annotation.default))
        for country_id, row in annotation.values(country_ids).items():
            values.setdefault(country_id, {}).update(row)
    names = [column.name for column in extensions.overview_columns]
    for score in scores:
        row = values.get(score.country_id, {})
        score.extra = [row.get(name, defaults.get(name)) for name in names]


def _unscored_count(filterset: CountryScoreFilter, methodology: Methodology | None) -> int | None:
    """Countries without a score among those the filters select; None under a band filter (no score, no band)."""
    if filterset.errors:
        return countries_unscored_count(methodology=methodology)
    data = filterset.form.cleaned_data
    if data.get("band"):
        return None
    return countries_unscored_count(
        methodology=methodology, region=data.get("region") or "", desk_ids=filterset.desk_ids()
    )


def _sort_link(request, current: str, key: str, numeric: bool) -> dict:
    """The heading's link (the opposite direction when the table is sorted by it) and its aria-sort."""
    if current == key:
        next_sort, aria = f"-{key}", "ascending"
    elif current == f"-{key}":
        next_sort, aria = key, "descending"
    else:
        next_sort, aria = (f"-{key}" if numeric else key), None
    params = request.GET.copy()
    params["sort"] = next_sort
    return {"aria_sort": aria, "query": params.urlencode()}


def _sort_headers(request, current: str) -> list[dict]:
    return [
        {"key": key, "label": label, "numeric": numeric, **_sort_link(request, current, key, numeric)}
        for key, label, numeric in TABLE_COLUMNS
    ]


def _extra_headers(request, current: str) -> list[dict]:
    """Headings of the columns other apps add; those that give a sort expression link like the others."""
    return [
        {
            "column": column,
            "key": column.name,
            **(_sort_link(request, current, column.name, True) if column.sort else {}),
        }
        for column in extensions.overview_columns
    ]


def _map_layers(scores: list, flagged: list) -> list[dict]:
    """The map's other layers: every added column that offers one (OverviewColumn.map_label) and has a value."""
    layers = []
    topojson_url = staticfiles_storage.url(charts.TOPOJSON_STATIC_PATH)
    for index, column in enumerate(extensions.overview_columns):
        rows = [{"iso3": s.country.iso3, "name": s.country.name, "value": s.extra[index]} for s in scores]
        if not column.map_label or all(row["value"] is None for row in rows):
            continue
        figure_id = f"map-figure-{column.name}"
        spec = charts.value_map_spec(
            rows=rows, label=column.map_label, suffix=column.map_suffix, topojson_url=topojson_url, flagged=flagged
        )
        layers.append({"label": column.map_label, "figure_id": figure_id, "json": charts.spec_script(spec, figure_id)})
    return layers


OVERVIEW_FILTERS = ("region", "desk", "band", "crime_group", "sort")
# An overview asked with these parameters only, all valid, is kept in the cache; any other is built for its request.
CACHED_PARAMETERS = {*OVERVIEW_FILTERS, "rows", "reset"}
SPELLED_ONE_WAY = {"rows": ("", "all"), "reset": ("", "1")}
BIG_MOVE_POINTS = 5.0  # a 3-month change at least this large is a "big move" worth telling a returning analyst


def _overview_filters(request) -> str:
    """The overview's filter parameters of this request as a query string (other parameters dropped)."""
    kept = request.GET.copy()
    for name in list(kept):
        if name not in OVERVIEW_FILTERS:
            del kept[name]
    return kept.urlencode()


def _overview_remembered(request) -> str | None:
    """For a bare visit, the query the overview should open with: the user's last filters, or "my desks" for an
    analyst who has none saved yet. None when the bare overview is what they get."""
    saved = view_state_filters(user=request.user).get("overview")
    if saved is None and user_desk_ids(request.user):
        return urlencode({"desk": MY_DESKS})
    return saved or None


@role_required(*ALL_ROLES)
@require_GET
def overview(request):
    if not request.GET and (remembered := _overview_remembered(request)):
        return redirect(f"{reverse('indicators:overview')}?{remembered}")
    previous_visit = view_state_page_seen(
        user=request.user, page="overview", query=_overview_filters(request) if request.GET else None
    )
    desk_ids = user_desk_ids(request.user)
    query = _kept_query(request)
    # A query the page refuses shows a message, so its page is never kept (nor its piece).
    return session_page_response(
        request,
        "overview",
        timezone.localdate(),
        previous_visit,
        build=lambda: _overview_page(request, previous_visit, desk_ids, query),
        query=query,
    )


def _kept_query(request) -> str | None:
    """The overview's query in one spelling (sorted) when its pieces may be kept: known parameters, each given once,
    `rows` and `reset` with a value they take. None otherwise: every spelling a client makes up would keep a copy.
    The filters' own values are checked by the filter set; one it refuses shows a message and is never kept."""
    items = []
    for name, values in request.GET.lists():
        if name not in CACHED_PARAMETERS or len(values) != 1 or not _kept_value(name, values[0]):
            return None
        items.append((name, values[0]))
    return urlencode(sorted(items))


def _kept_value(name: str, value: str) -> bool:
    """Whether a parameter's value has one spelling: `rows` and `reset` their few values; `sort` one column, as the
    table's headings link (a list of names, empty or repeated ones included, can be spelled without end). The other
    filters choose from fixed lists, so a value they refuse shows a message instead."""
    if name == "sort":
        return "," not in value
    return value in SPELLED_ONE_WAY.get(name, (value,))


def _overview_page(request, previous_visit: dt.datetime | None, desk_ids, query: str | None) -> HttpResponse:
    """The overview around its kept piece: the run's status line, "since your last visit" and big moves."""
    # The filters may name "my desks", and the desk filter offers it only to someone with desks: both are in the key.
    piece = page_piece(
        request,
        "overview",
        query,
        sorted(desk_ids),
        timezone.localdate(),
        build=lambda: _overview_piece(request),
        keep=lambda piece: not piece["problems"] and query is not None,
    )
    if piece["problems"]:
        # The export refuses such a query (400); the page still shows, unfiltered by the bad values, and says so.
        messages.error(request, f"Not applied, so the table ignores them: {piece['problems']}.")
    context = {
        "methodology_version": piece["methodology_version"],
        "run": piece["run"],
        "filters_html": piece["filters_html"],
        "body_html": piece["body_html"],
        "has_map": piece["has_map"],
        "previous_visit": previous_visit,
        "since_panels": _since_visit_panels(request, previous_visit),
        "big_moves": _big_moves_since(piece["rows"], previous_visit, desk_ids=desk_ids),
        "has_desks": bool(desk_ids),
    }
    return render(request, "indicators/overview.html", context)


def _overview_piece(request) -> dict:
    """The overview's filters, map, risers and ranking for this query, rendered, with the few row figures the
    per-user "big moves" need: what the page cache keeps (indicators.page_cache)."""
    methodology = methodology_active()
    filterset, scores = _filtered_scores(request, methodology)
    score_label = CRIME_GROUP_LABELS[filterset.score_column].split(" (")[0]
    flags = extensions.row_flags([s.country_id for s in scores]) if scores else {}
    for s in scores:
        s.flags = flags.get(s.country_id, [])
    flagged = [{"iso3": s.country.iso3, "name": s.country.name, "label": s.flags[0][0]} for s in scores if s.flags]
    shown = scores if request.GET.get("rows") == "all" else scores[:RANKING_ROWS_SHOWN]
    all_rows = request.GET.copy()
    all_rows["rows"] = "all"
    context = {
        "filterset": filterset,
        "sort": request.GET.get("sort", ""),
        "scores": scores,
        "ranking_shown": shown,
        "ranking_hidden": len(scores) - len(shown),
        "all_rows_query": all_rows.urlencode(),
        "score_label": score_label,
        "score_column": filterset.score_column,
        "risers": score_risers(scores),
        "unscored_count": _unscored_count(filterset, methodology),
        "headers": _sort_headers(request, request.GET.get("sort", "")),
        "export_query": request.GET.urlencode(),
        "map_json": _overview_map(scores, methodology, score_label, flagged) if scores else None,
        "filtered": any(request.GET.get(name) for name in ("region", "desk", "band")),
        "extra_columns": list(extensions.overview_columns),
        "extra_headers": _extra_headers(request, request.GET.get("sort", "")),
        "map_layers": _map_layers(scores, flagged),
        "flagged": flagged,
        "stale_picture": _stale_picture(scores),
    }
    return {
        "methodology_version": methodology.version if methodology else None,
        "run": score_run_latest(),
        "problems": _filter_problems(filterset) if filterset.errors else "",
        "filters_html": render_to_string("indicators/_overview_filters.html", context),
        "body_html": render_to_string("indicators/_overview_body.html", context),
        "has_map": bool(context["map_json"]),
        "rows": [_big_move_row(score) for score in scores],
    }


def _stale_picture(scores: list) -> dict | None:
    """When no country the filters select can be banded, what to tell the reader: the newest evidence among them.
    None while any is banded (the map and bands then speak for themselves)."""
    if not scores or not all(score.insufficient_data for score in scores):
        return None
    dates = [score.latest_evidence_on for score in scores if score.latest_evidence_on]
    return {"count": len(scores), "newest_evidence": max(dates) if dates else None}


def _overview_map(scores: list, methodology: Methodology | None, score_label: str, flagged: list) -> str:
    map_rows = [
        {"iso3": s.country.iso3, "name": s.country.name, "score": s.focus_score, "band": s.focus_band}
        for s in scores
        if not s.insufficient_data  # not banded, so not coloured as if it were
    ]
    spec = charts.world_map_spec(
        rows=map_rows,
        thresholds=thresholds_of(methodology),
        score_label=score_label,
        topojson_url=staticfiles_storage.url(charts.TOPOJSON_STATIC_PATH),
        flagged=flagged,
    )
    return charts.spec_script(spec, "map-figure")


def _big_move_row(score) -> dict:
    """What "big moves on your desks" needs of a ranked score, small enough to keep beside the rendered page."""
    return {
        "country": {"iso3": score.country.iso3, "name": score.country.name, "desk_id": score.country.desk_id},
        "run_id": score.run_id,
        "band": score.band,
        "overall": score.overall,
        "change_3m": score.change_3m,
    }


def _since_visit_panels(request, previous_visit: dt.datetime | None) -> list[dict]:
    """The other apps' columns of "Since your last visit" (new alerts, decisions, declarations)."""
    if previous_visit is None:
        return []
    return extensions.panels_render_context(extensions.overview_since_visit_panels, request, previous_visit)


def _big_moves_since(rows: list[dict], since: dt.datetime | None, *, desk_ids) -> list[dict]:
    """Scores of the user's desks recomputed since their previous visit that moved by BIG_MOVE_POINTS or more."""
    if since is None or not desk_ids:
        return []
    runs = score_run_ids_finished_since(since=since)
    return sorted(
        (
            row
            for row in rows
            if row["run_id"] in runs
            and row["country"]["desk_id"] in desk_ids
            and row["change_3m"] is not None
            and abs(row["change_3m"]) >= BIG_MOVE_POINTS
        ),
        key=lambda row: -abs(row["change_3m"]),
    )[:8]


def _filter_problems(filterset: CountryScoreFilter) -> str:
    """Each invalid filter by its query name with the reason, for the overview's message and the export's 400."""
    return "; ".join(f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items())


def _csv_score_cell(column: str, value) -> str:
    if column in ("band", "data_confidence_level"):
        return value
    if column == "latest_evidence_on":
        return value.isoformat() if value else ""
    if column == "coverage":
        return f"{value:.3f}"
    return "" if value is None else f"{value:.1f}"


@role_required(*ALL_ROLES)
@require_GET
def overview_export(request):
    not_modified = not_modified_or_none(request, scope="overview-csv")
    if not_modified is not None:
        return not_modified
    methodology = methodology_active()
    filterset, scores = _filtered_scores(request, methodology)
    if filterset.errors:
        problems = _filter_problems(filterset)
        return HttpResponse(f"Cannot export: {problems}", status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="atrocity-watch-scores-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow([*CSV_HEADER, *(column.name for column in extensions.overview_columns)])
    for score in scores:
        country = score.country
        # Names and desks are free text an administrator typed: a spreadsheet must not run them as formulas.
        writer.writerow(
            [
                country.iso3,
                spreadsheet_safe(country.name),
                spreadsheet_safe(country.region),
                spreadsheet_safe(country.desk.name if country.desk else ""),
                score.month.isoformat(),
                methodology.version,
                filterset.score_column,
                *(_csv_score_cell(column, getattr(score, column)) for column in SCORE_RECORD_COLUMNS),
                score.last_assessed.isoformat() if score.last_assessed else "",
                *score.extra,
            ]
        )
    return conditional_response(request, response, scope="overview-csv")
