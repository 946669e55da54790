"""A small factory of score rows for dashboard tests, so pages have scores before any recompute runs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from indicators.models import CountryScore, Methodology, RiskFactor, RiskFactorScore, ScoreRun

BANDS = ((75, "very_high"), (50, "high"), (25, "moderate"), (0, "low"))


def band_of(score: float) -> str:
    return next(band for floor, band in BANDS if score >= floor)


def month_back(last: dt.date, months: int) -> dt.date:
    index = last.year * 12 + last.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def score_run_create(*, status: str = "succeeded", error: str = "") -> ScoreRun:
    now = timezone.now()
    return ScoreRun.objects.create(
        methodology=Methodology.objects.get(is_active=True),
        trigger="schedule",
        status=status,
        started_at=now,
        finished_at=now,
        countries_count=2,
        score_rows=10,
        error=error,
    )


def scores_create(
    *, country, overall: list[float], last_month: dt.date = dt.date(2026, 1, 1), run: ScoreRun | None = None
) -> list[CountryScore]:
    """Monthly scores ending at last_month (oldest first in `overall`), with all 14 factor scores per month."""
    run = run or score_run_create()
    methodology = run.methodology
    factors = list(RiskFactor.objects.filter(framework__is_active=True).order_by("number"))
    created = []
    for index, value in enumerate(overall):
        month = month_back(last_month, len(overall) - 1 - index)
        change_3m = value - overall[index - 3] if index >= 3 else None
        change_12m = value - overall[index - 12] if index >= 12 else None
        created.append(
            CountryScore.objects.create(
                country=country,
                month=month,
                methodology=methodology,
                run=run,
                overall=value,
                band=band_of(value),
                common=value * 0.8,
                genocide=value * 0.9,
                crimes_against_humanity=value,
                war_crimes=value * 0.7,
                coverage=0.4,
                change_3m=change_3m,
                change_12m=change_12m,
            )
        )
        RiskFactorScore.objects.bulk_create(
            RiskFactorScore(
                country=country,
                month=month,
                methodology=methodology,
                run=run,
                risk_factor=factor,
                score=min(100.0, value + factor.number),
                coverage=0.5,
                indicators_assessed=3,
            )
            for factor in factors
        )
    return created


def scored_run_create(histories: dict) -> ScoreRun:
    """One succeeded run holding each country's monthly overall scores (oldest first): {country: [40, 45, 50]}."""
    run = score_run_create()
    for country, overall in histories.items():
        scores_create(country=country, overall=overall, run=run)
    return run
