"""Dashboard pages: overview map and ranking, country pages, batch assessment entry, methodology. Thin: reads come
from selectors, writes from services, figures from charts."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_http_methods

from core import extensions
from core.months import month_add
from core.roles import ALL_ROLES, can_record_assessment, role_required, user_desk_ids
from core.selectors import country_timeline
from core.spreadsheet import spreadsheet_safe
from indicators import charts
from indicators.country_search import aliases_of, countries_matching
from indicators.data_version import conditional_response, not_modified_or_none
from indicators.explaining import effect_reason, entry_effects, score_moves, why_this_score
from indicators.filters import CRIME_GROUP_CHOICES, MY_DESKS, CountryScoreFilter
from indicators.forms import CompareForm, assessment_formset
from indicators.importers.mappings import dataset_mappings
from indicators.models import Country, Methodology
from indicators.scoring.core import band_for, band_thresholds_of
from indicators.scoring.selectors import country_latest_evidence_by_source, data_sources_summary, score_explanation
from indicators.selectors import (
    SCORE_RECORD_COLUMNS,
    assessment_entries_since,
    countries_for_search,
    countries_unscored_count,
    country_get,
    country_score_history,
    country_score_latest,
    country_scores_latest,
    country_scores_now,
    factor_scores_change,
    factor_scores_for_month,
    indicator_moves,
    indicators_active,
    indicators_by_factor_for_country,
    methodologies_all,
    methodology_active,
    risk_factors_active,
    score_risers,
    score_run_ids_finished_since,
    score_run_latest,
    score_runs_since,
    view_state_filters,
)
from indicators.services import (
    AssessmentBatchInvalid,
    assessments_record_batch,
    view_state_page_seen,
)

CRIME_GROUP_LABELS = dict(CRIME_GROUP_CHOICES)
TREND_SERIES = {
    "overall": "Overall",
    "genocide": "Genocide",
    "crimes_against_humanity": "Crimes against humanity",
    "war_crimes": "War crimes",
}
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


def _country_or_404(iso3: str) -> Country:
    try:
        return country_get(iso3=iso3)
    except Country.DoesNotExist as exc:
        raise Http404(f"No country with ISO-3 code {iso3!r}.") from exc


def _thresholds(methodology: Methodology | None) -> Mapping[str, float]:
    return band_thresholds_of(methodology.parameters if methodology is not None else None)


def _filtered_scores(request, methodology: Methodology | None) -> tuple[CountryScoreFilter, list]:
    filterset = CountryScoreFilter(
        request.GET,
        request=request,
        queryset=country_scores_latest(methodology=methodology, with_last_assessed=True),
        band_thresholds=_thresholds(methodology),
    )
    scores = list(filterset.qs)
    if not user_desk_ids(request.user):  # "My desks" means nothing to someone without a desk
        field = filterset.form.fields["desk"]
        field.choices = [choice for choice in field.choices if choice[0] != MY_DESKS]
    thresholds = _thresholds(methodology)
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
    methodology = methodology_active()
    filterset, scores = _filtered_scores(request, methodology)
    if filterset.errors:
        # The export refuses such a query (400); the page still shows, unfiltered by the bad values, and says so.
        messages.error(request, f"Not applied, so the table ignores them: {_filter_problems(filterset)}.")
    score_label = CRIME_GROUP_LABELS[filterset.score_column].split(" (")[0]
    flags = extensions.row_flags([s.country_id for s in scores]) if scores else {}
    for s in scores:
        s.flags = flags.get(s.country_id, [])
    flagged = [{"iso3": s.country.iso3, "name": s.country.name, "label": s.flags[0][0]} for s in scores if s.flags]
    map_rows = [
        {"iso3": s.country.iso3, "name": s.country.name, "score": s.focus_score, "band": s.focus_band}
        for s in scores
        if not s.insufficient_data  # not banded, so not coloured as if it were
    ]
    shown = scores if request.GET.get("rows") == "all" else scores[:RANKING_ROWS_SHOWN]
    all_rows = request.GET.copy()
    all_rows["rows"] = "all"
    context = {
        "methodology": methodology,
        "filterset": filterset,
        "scores": scores,
        "ranking_shown": shown,
        "ranking_hidden": len(scores) - len(shown),
        "all_rows_query": all_rows.urlencode(),
        "score_label": score_label,
        "score_column": filterset.score_column,
        "risers": score_risers(scores),
        "run": score_run_latest(),
        "unscored_count": _unscored_count(filterset, methodology),
        "headers": _sort_headers(request, request.GET.get("sort", "")),
        "export_query": request.GET.urlencode(),
        "map_json": charts.spec_script(
            charts.world_map_spec(
                rows=map_rows,
                thresholds=_thresholds(methodology),
                score_label=score_label,
                topojson_url=staticfiles_storage.url(charts.TOPOJSON_STATIC_PATH),
                flagged=flagged,
            ),
            "map-figure",
        )
        if scores
        else None,
        "filtered": any(request.GET.get(name) for name in ("region", "desk", "band")),
        "extra_columns": list(extensions.overview_columns),
        "extra_headers": _extra_headers(request, request.GET.get("sort", "")),
        "map_layers": _map_layers(scores, flagged),
        "flagged": flagged,
        "previous_visit": previous_visit,
        "since_panels": _since_visit_panels(request, previous_visit),
        "big_moves": _big_moves_since(scores, previous_visit, desk_ids=user_desk_ids(request.user)),
        "has_desks": bool(user_desk_ids(request.user)),
    }
    return render(request, "indicators/overview.html", context)


def _since_visit_panels(request, previous_visit: dt.datetime | None) -> list[dict]:
    """The other apps' columns of "Since your last visit" (new alerts, decisions, declarations)."""
    if previous_visit is None:
        return []
    return extensions.panels_render_context(extensions.overview_since_visit_panels, request, previous_visit)


def _big_moves_since(scores: list, since: dt.datetime | None, *, desk_ids) -> list:
    """Scores of the user's desks recomputed since their previous visit that moved by BIG_MOVE_POINTS or more."""
    if since is None or not desk_ids:
        return []
    runs = score_run_ids_finished_since(since=since)
    return sorted(
        (
            score
            for score in scores
            if score.run_id in runs
            and score.country.desk_id in desk_ids
            and score.change_3m is not None
            and abs(score.change_3m) >= BIG_MOVE_POINTS
        ),
        key=lambda score: -abs(score.change_3m),
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


def _method_changes(methodologies: list[Methodology], history: list[dict]) -> list[tuple[dt.date, str]]:
    if not history:
        return []
    first, last = history[0]["month"], month_add(history[-1]["month"], 1)
    changes = []
    for methodology in methodologies:
        if methodology.published_at is None:
            continue
        published = timezone.localdate(methodology.published_at)
        if first <= published <= last:
            changes.append((published, f"Method v{methodology.version}"))
    return changes


def _factor_rows(*, country: Country, methodology: Methodology, month: dt.date, thresholds) -> list:
    """The risk factors' scores of the latest month, each with its 3-month change and band."""
    changes = factor_scores_change(country=country, methodology=methodology, month=month)
    rows = []
    for factor_score in factor_scores_for_month(country=country, methodology=methodology, month=month):
        factor_score.change_3m = changes.get(factor_score.risk_factor.number)
        factor_score.score_band = band_for(factor_score.score, thresholds)
        rows.append(factor_score)
    return rows


def _moves_window(latest, today: dt.date) -> tuple[dt.date, dt.date]:
    """The three months, ending with the latest scored month (or today), whose indicator moves the page lists."""
    window_end = month_add(latest.month, 1) - dt.timedelta(days=1) if latest is not None else today
    window_start = month_add(window_end.replace(day=1), -2) - dt.timedelta(days=1)
    return window_start, window_end


def _compared_countries(request, country: Country) -> tuple[CompareForm, list[Country], list[Country]]:
    others = list(Country.objects.exclude(pk=country.pk).only("iso3", "name").order_by("name"))
    compare_data = {"compare": [code for code in request.GET.getlist("compare") if code]}
    compare_form = CompareForm(compare_data, countries=others, current=country)
    compared = compare_form.cleaned_data["compare"] if compare_form.is_valid() else []
    return compare_form, compared, others


def _country_charts(*, country, compared, histories, thresholds, sources=()) -> dict:
    history = histories[country.pk]
    if not history:
        return {"trend_json": None, "compare_json": None}
    methodologies = list(methodologies_all())
    trend = charts.trend_spec(
        history=history,
        series=TREND_SERIES,
        thresholds=thresholds,
        method_changes=_method_changes(methodologies, history),
        source_ends=[(item.latest_observed_on, item.short_label) for item in sources],
    )
    comparison = (
        charts.compare_spec(histories=[(c.name, histories[c.pk]) for c in [country, *compared]], thresholds=thresholds)
        if compared
        else None
    )
    return {
        "trend_json": charts.spec_script(trend, "trend-figure"),
        "compare_json": charts.spec_script(comparison, "compare-figure") if comparison else None,
    }


@role_required(*ALL_ROLES)
@require_GET
def country_detail(request, iso3: str):
    country = _country_or_404(iso3)
    methodology = methodology_active()
    parameters = methodology.parameters if methodology else {}
    thresholds = _thresholds(methodology)
    today = timezone.localdate()
    latest = country_score_latest(country=country, methodology=methodology)
    compare_form, compared, others = _compared_countries(request, country)
    histories = country_score_history(countries=[country, *compared], methodology=methodology)
    groups, rows = indicators_by_factor_for_country(country=country, parameters=parameters, today=today)
    indicators = {status.indicator.pk: status.indicator for group in groups for status in group.indicators}
    window_start, window_end = _moves_window(latest, today)
    feedback = _entries_feedback(request, country=country, methodology=methodology, parameters=parameters, today=today)
    evidence_by_source = country_latest_evidence_by_source(country=country)
    context = {
        "feedback": feedback,
        "why": _why_this_score(country=country, latest=latest, methodology=methodology),
        "country": country,
        "methodology": methodology,
        "latest": latest,
        "parameters": parameters,
        "groups": groups,
        "factor_rows": []
        if latest is None
        else _factor_rows(country=country, methodology=methodology, month=latest.month, thresholds=thresholds),
        "moves": indicator_moves(rows=rows, indicators=indicators, window_start=window_start, window_end=window_end),
        "window_start": window_start + dt.timedelta(days=1),
        "window_end": window_end,
        "assessment_count": len(rows),
        "timeline": country_timeline(country=country, viewer=request.user),
        "may_assess": can_record_assessment(request.user, country),
        "page_actions": extensions.page_actions(extensions.country_detail_actions, request, country),
        "panels": extensions.panels_render_context(extensions.country_detail_panels, request, country),
        "banners": extensions.panels_render_context(extensions.country_detail_banners, request, country),
        "compare_form": compare_form,
        "compare_slots": _compare_slots(compared),
        "other_countries": others,
        "compared": compared,
        "evidence_by_source": evidence_by_source,
        **_country_charts(
            country=country, compared=compared, histories=histories, thresholds=thresholds, sources=evidence_by_source
        ),
    }
    return render(request, "indicators/country_detail.html", context)


FEEDBACK_SESSION_KEY = "assessment_feedback"
FEEDBACK_SCORES = {
    "overall": "Overall",
    "genocide": "Genocide",
    "crimes_against_humanity": "Crimes against humanity",
    "war_crimes": "War crimes",
}


def _moment(raw: str) -> dt.datetime | None:
    try:
        moment = parse_datetime(raw) if raw else None
    except ValueError:
        return None
    return None if moment is None or timezone.is_naive(moment) else moment


def _entries_feedback(request, *, country: Country, methodology, parameters, today: dt.date) -> dict | None:
    """What the signed-in analyst's entries recorded since ?recorded= (or ?changes=, once the new scores are in)
    did: each indicator before and after with the reason, and each score before and after."""
    raw = request.GET.get("changes") or request.GET.get("recorded") or ""
    since = _moment(raw)
    if since is None:
        return None
    new, others = assessment_entries_since(country=country, author=request.user, since=since)
    if not new:
        return None
    effects = entry_effects(
        new=new, others=others, today=today, max_age_months=int(parameters.get("max_age_months", 36))
    )
    ready = bool(request.GET.get("changes"))
    kept = request.session.get(FEEDBACK_SESSION_KEY, {}).get(country.iso3)
    before = kept["before"] if kept and kept.get("at") == raw else None
    moves = []
    if ready and before is not None:
        after = country_scores_now(country=country, methodology=methodology)
        labels = dict(FEEDBACK_SCORES)
        for row in sorted(new, key=lambda row: row["indicator__risk_factor__number"]):
            number = row["indicator__risk_factor__number"]
            labels[f"factor_{number}"] = f"Factor {number}. {row['indicator__risk_factor__name']}"
        moves = score_moves(before, after, labels)
    return {
        "ready": ready,
        "scores_known": before is not None,
        "entries": [{"effect": effect, "reason": effect_reason(effect)} for effect in effects],
        "lowered": any(effect.lowered for effect in effects),
        "moves": moves,
    }


def _why_this_score(*, country: Country, latest, methodology) -> list[str]:
    if latest is None or methodology is None:
        return []
    explanation = score_explanation(country=country, month=latest.month, methodology=methodology)
    return why_this_score(
        country_name=country.name, stored=latest, explanation=explanation, parameters=methodology.parameters
    )


def _compare_slots(compared: list[Country]) -> list[str]:
    codes = [country.iso3 for country in compared]
    return codes + [""] * (4 - len(codes))


@role_required(*ALL_ROLES)
@require_http_methods(["GET", "POST"])
def assessment_create(request, iso3: str):
    country = _country_or_404(iso3)
    if not can_record_assessment(request.user, country):
        raise PermissionDenied(f"Only analysts of the desk that owns {country.name} may record assessments for it.")
    indicators = list(indicators_active())
    formset = assessment_formset(data=request.POST if request.method == "POST" else None, indicators=indicators)
    status = 200
    if request.method == "POST":
        if formset.is_valid():
            rows = formset.filled_rows()
            before = country_scores_now(country=country, methodology=methodology_active())
            try:
                recorded = assessments_record_batch(country=country, author=request.user, rows=rows)
            except AssessmentBatchInvalid as exc:
                filled = [form for form in formset.forms if form.has_changed()]
                for index, field_errors in exc.row_errors.items():
                    for field, errors in field_errors.items():
                        form = filled[index]
                        form.add_error(field if field in form.fields else None, errors)
            except ValidationError as exc:
                formset._non_form_errors = formset.error_class(exc.messages)
            else:
                count = len(recorded)
                messages.success(
                    request,
                    f"{count} assessment{'s' if count != 1 else ''} recorded for {country.name}. "
                    "Scores for this country are being recomputed.",
                )
                moment = recorded[0].recorded_at.isoformat()
                # The scores before the batch, to show beside the recomputed ones once they are ready.
                kept = request.session.get(FEEDBACK_SESSION_KEY, {})
                request.session[FEEDBACK_SESSION_KEY] = {**kept, country.iso3: {"at": moment, "before": before}}
                since = urlencode({"recorded": moment})
                return redirect(f"{reverse('indicators:country_detail', args=[country.iso3])}?{since}")
        status = 400
    context = {"country": country, "formset": formset}
    return render(request, "indicators/assessment_batch.html", context, status=status)


@role_required(*ALL_ROLES)
@require_GET
def score_status(request, iso3: str):
    """Whether the scores for a country have been recomputed since a moment (the `since` ISO timestamp)."""
    country = _country_or_404(iso3)
    since_raw = request.GET.get("since", "")
    try:
        since = parse_datetime(since_raw) if since_raw else None
    except ValueError:  # well formed but impossible, e.g. 2024-02-30 or 25:00
        since = None
    if since is None or timezone.is_naive(since):
        return JsonResponse(
            {"error": f"'since' must be an ISO 8601 timestamp with a time zone; got {since_raw!r}."}, status=400
        )
    runs = score_runs_since(country=country, since=since)
    latest = runs[0] if runs else None
    succeeded = [run for run in runs if run.status == run.Status.SUCCEEDED]
    failed = [run for run in runs if run.status == run.Status.FAILED]
    if succeeded:
        state = "ready"
    elif failed and len(failed) == len(runs):
        state = "failed"
    elif runs:
        state = "running"
    else:
        state = "waiting"
    return JsonResponse(
        {
            "country": country.iso3,
            "state": state,
            "run": None
            if latest is None
            else {
                "id": latest.pk,
                "status": latest.status,
                "created_at": latest.created_at.isoformat(),
                "finished_at": latest.finished_at.isoformat() if latest.finished_at else None,
                "error": latest.error,
            },
        }
    )


@role_required(*ALL_ROLES)
@require_GET
def methodology(request):
    versions = list(methodologies_all())
    active = next((version for version in versions if version.is_active), None)
    parameters = active.parameters if active else {}
    factor_names = {factor.number: factor.name for factor in risk_factors_active()}
    crime_groups = [
        {
            "label": CRIME_GROUP_LABELS.get(group, group),
            "factors": [(number, factor_names.get(number, "")) for number in numbers],
        }
        for group, numbers in parameters.get("crime_groups", {}).items()
    ]
    context = {
        "active": active,
        "versions": versions,
        "parameters": parameters,
        "confidence_weights": sorted(parameters.get("confidence_weights", {}).items(), key=lambda item: -item[1]),
        "thresholds": band_thresholds_of(parameters),
        "common_factors": [(n, factor_names.get(n, "")) for n in parameters.get("common_factors", [])],
        "crime_groups": crime_groups,
        "factor_weights": sorted(
            (
                (int(number), factor_names.get(int(number), ""), weight)
                for number, weight in parameters.get("factor_weights", {}).items()
            )
        ),
        "uniform_weights": len(set(parameters.get("factor_weights", {}).values())) <= 1,
        "mappings": dataset_mappings(),
        "panels": extensions.panels_render_context(extensions.methodology_panels, request, None),
    }
    return render(request, "indicators/methodology.html", context)


@role_required(*ALL_ROLES)
@require_GET
def country_search(request):
    """The header search without JavaScript: one clear match opens the country's page, otherwise a list."""
    query = request.GET.get("q", "").strip()[:100]
    matches = countries_matching(query, countries_for_search()) if query else []
    if matches and (len(matches) == 1 or matches[0].rank <= 0):
        return redirect("indicators:country_detail", iso3=matches[0].iso3)
    return render(request, "indicators/search.html", {"query": query, "matches": matches})


@role_required(*ALL_ROLES)
@require_GET
def country_search_index(request):
    """Every country with its code, aliases and page, for the type-ahead script to filter as the user types."""
    url_template = reverse("indicators:country_detail", args=["ISO"])
    countries = [
        {"iso3": iso3, "name": name, "aliases": list(aliases_of(iso3)), "url": url_template.replace("ISO", iso3)}
        for iso3, name in countries_for_search()
    ]
    response = JsonResponse({"countries": countries})
    response["Cache-Control"] = "private, max-age=300"
    return response


@role_required(*ALL_ROLES)
@require_GET
def data_sources(request):
    """Every source of assessments: what it covers, how recent its data is, and when and how it was imported."""
    methodology = methodology_active()
    return render(
        request,
        "indicators/data_sources.html",
        {"sources": data_sources_summary(), "methodology": methodology, "today": timezone.localdate()},
    )
