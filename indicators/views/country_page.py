"""A country's page (scores, trend, factors, indicators, evidence, timeline, what other apps add), the batch entry of
assessments for it, and the status its page polls while the scores are recomputed."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_http_methods

from core import extensions
from core.months import month_add
from core.roles import ALL_ROLES, can_record_assessment, role_required
from core.selectors import country_timeline, country_timeline_recent
from indicators import charts
from indicators.explaining import effect_reason, entry_effects, score_moves, why_this_score
from indicators.forms import CompareForm, assessment_formset
from indicators.models import Country, Methodology
from indicators.page_cache import page_piece, session_page_response
from indicators.scoring.core import band_for
from indicators.scoring.selectors import SHORT_LABELS, country_latest_evidence_by_source, score_explanation
from indicators.selectors import (
    assessment_entries_since,
    country_score_history,
    country_score_latest,
    country_scores_now,
    factor_scores_change,
    factor_scores_for_month,
    indicator_moves,
    indicators_active,
    indicators_by_factor_for_country,
    methodologies_all,
    methodology_active,
    score_runs_since,
)
from indicators.services import (
    AssessmentBatchInvalid,
    assessments_record_batch,
)
from indicators.views.common import country_or_404, thresholds_of

TREND_SERIES = {
    "overall": "Overall",
    "genocide": "Genocide",
    "crimes_against_humanity": "Crimes against humanity",
    "war_crimes": "War crimes",
}


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
    today = timezone.localdate()
    # Only the plain page is kept whole: the feedback after recording assessments is shown once, and comparisons
    # name countries a made-up query could vary without end (their figures are still kept as the piece). A page is
    # kept only for a country that exists; renaming or removing one is an administrator's change, a new data version.
    return session_page_response(
        request,
        "country",
        today,
        build=lambda: _country_page(request, country_or_404(iso3), today),
        query="" if not request.META.get("QUERY_STRING") else None,
    )


def _country_page(request, country: Country, today: dt.date):
    """The country page around its kept piece: the feedback, timeline, buttons, panels and banners of this user."""
    compare = [code for code in request.GET.getlist("compare") if code]
    piece = page_piece(
        request,
        "country",
        country.iso3,
        compare,
        today,
        build=lambda: _country_piece(request, country, today),
        keep=lambda piece: piece["compare_valid"],
    )
    context = {
        "country": country,
        "feedback": _entries_feedback(
            request, country=country, methodology=methodology_active(), parameters=piece["parameters"], today=today
        )
        if request.GET.get("changes") or request.GET.get("recorded")
        else None,
        "sections_html": piece["sections_html"],
        "compare_html": piece["compare_html"],
        "has_charts": piece["has_charts"],
        "timeline_html": _timeline_html(request, country),
        "may_assess": can_record_assessment(request.user, country),
        "page_actions": extensions.page_actions(extensions.country_detail_actions, request, country),
        "panels": extensions.panels_render_context(extensions.country_detail_panels, request, country),
        "banners": extensions.panels_render_context(extensions.country_detail_banners, request, country),
    }
    return render(request, "indicators/country_detail.html", context)


def _timeline_html(request, country: Country) -> str:
    """The timeline's events for this viewer, rendered. The newest events are kept for every reader (audit events
    are part of the data version) and filtered per viewer; when what this viewer sees is drawn from them alone, its
    markup depends only on which of them it is, so it is kept under those events' ids: rendering 30 events per
    request was a fifth of a cached country page's Python function calls."""
    recent = page_piece(
        request, "country-timeline", country.iso3, build=lambda: country_timeline_recent(country=country)
    )
    timeline = country_timeline(country=country, viewer=request.user, recent=recent)

    def render_timeline() -> str:
        return render_to_string("indicators/_country_timeline.html", {"timeline": timeline, "country": country})

    kept = {id(event) for event in recent}
    if not all(id(entry) in kept for entry in timeline):
        return render_timeline()  # queried for this viewer, or entries of another source: built every time
    return page_piece(
        request, "country-timeline-html", country.iso3, [event.pk for event in timeline], build=render_timeline
    )


def _country_piece(request, country: Country, today: dt.date) -> dict:
    """The country page's score, figures, tables and comparison, rendered: what the page cache keeps. Nothing here
    depends on who asks; the buttons, panels, banners, timeline and feedback around it do and are built per request."""
    methodology = methodology_active()
    parameters = methodology.parameters if methodology else {}
    thresholds = thresholds_of(methodology)
    latest = country_score_latest(country=country, methodology=methodology)
    compare_form, compared, others = _compared_countries(request, country)
    histories = country_score_history(countries=[country, *compared], methodology=methodology)
    groups, rows = indicators_by_factor_for_country(country=country, parameters=parameters, today=today)
    indicators = {status.indicator.pk: status.indicator for group in groups for status in group.indicators}
    window_start, window_end = _moves_window(latest, today)
    evidence_by_source = country_latest_evidence_by_source(country=country)
    charts_json = _country_charts(
        country=country, compared=compared, histories=histories, thresholds=thresholds, sources=evidence_by_source
    )
    context = {
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
        "compare_form": compare_form,
        "compare_slots": _compare_slots(compared),
        "other_countries": others,
        "compared": compared,
        "evidence_by_source": evidence_by_source,
        **charts_json,
    }
    return {
        "parameters": parameters,
        "sections_html": render_to_string("indicators/_country_sections.html", context),
        "compare_html": render_to_string("indicators/_country_compare.html", context),
        "has_charts": bool(charts_json["trend_json"] or charts_json["compare_json"]),
        "compare_valid": not compare_form.errors,
    }


@role_required(*ALL_ROLES)
@require_GET
def country_indicators(request, iso3: str):
    """The country page's indicators by risk factor, below its fold: `?fragment=1` answers the section's content for
    the page's script to put in place after load; without it, a page of its own (the link works without JavaScript)."""
    country = country_or_404(iso3)
    today = timezone.localdate()
    piece = page_piece(
        request, "country-indicators", country.iso3, today, build=lambda: _country_indicators_piece(country, today)
    )
    if request.GET.get("fragment"):
        response = HttpResponse(piece["html"])
        response["Cache-Control"] = "private, no-cache"
        return response
    context = {"country": country, "parameters": piece["parameters"], "indicators_html": piece["html"]}
    return render(request, "indicators/country_indicators.html", context)


def _country_indicators_piece(country: Country, today: dt.date) -> dict:
    methodology = methodology_active()
    parameters = methodology.parameters if methodology else {}
    groups, _ = indicators_by_factor_for_country(country=country, parameters=parameters, today=today)
    html = render_to_string("indicators/_country_indicators.html", {"groups": groups, "parameters": parameters})
    return {"parameters": parameters, "html": html}


FEEDBACK_SESSION_KEY = "assessment_feedback"
FEEDBACK_SCORES = {
    "overall": "Overall",
    "genocide": "Genocide",
    "crimes_against_humanity": "Crimes against humanity",
    "war_crimes": "War crimes",
}


def _moment(raw: str) -> dt.datetime | None:
    """An aware ISO 8601 moment in UTC, or None: ISO allows offsets past ±15:59 that PostgreSQL refuses."""
    try:
        moment = parse_datetime(raw) if raw else None
    except ValueError:  # well formed but impossible, e.g. 2024-02-30 or 25:00
        return None
    if moment is None or timezone.is_naive(moment):
        return None
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        return None


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
        country_name=country.name,
        stored=latest,
        explanation=explanation,
        parameters=methodology.parameters,
        source_labels=SHORT_LABELS,
    )


def _compare_slots(compared: list[Country]) -> list[str]:
    codes = [country.iso3 for country in compared]
    return codes + [""] * (4 - len(codes))


@role_required(*ALL_ROLES)
@require_http_methods(["GET", "POST"])
def assessment_create(request, iso3: str):
    country = country_or_404(iso3)
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
    country = country_or_404(iso3)
    since_raw = request.GET.get("since", "")
    since = _moment(since_raw)
    if since is None:
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
