"""Factories for the alerts tests: score runs, country scores and escalations in any state."""

import datetime as dt

import factory
from django.utils import timezone

from alerts.models import Escalation, Urgency
from indicators.models import CountryScore, Methodology, ScoreRun


def active_methodology() -> Methodology:
    return Methodology.objects.get(is_active=True)


class ScoreRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoreRun

    methodology = factory.LazyFunction(active_methodology)
    trigger = ScoreRun.Trigger.MANUAL
    status = ScoreRun.Status.SUCCEEDED


def band_for(overall: float) -> str:
    return "very_high" if overall >= 75 else "high" if overall >= 50 else "moderate" if overall >= 25 else "low"


class CountryScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountryScore

    month = dt.date(2026, 10, 1)
    methodology = factory.LazyFunction(active_methodology)
    run = factory.SubFactory(ScoreRunFactory)
    overall = 40.0
    band = factory.LazyAttribute(lambda score: band_for(score.overall))
    common = 35.0
    genocide = factory.LazyAttribute(lambda score: score.overall)
    crimes_against_humanity = 30.0
    war_crimes = 20.0
    coverage = 0.6


class EscalationFactory(factory.django.DjangoModelFactory):
    """An escalation; pass state= with claimed_by=/awaiting_since= to place it anywhere in the workflow."""

    class Meta:
        model = Escalation

    state = Escalation.State.DRAFT
    urgency = Urgency.HIGH
    summary = "Militia attacks on villages of a minority group are spreading."
    risk_assessment = "Reports of targeted killings and hate speech by local officials (factors 10.1, 10.3)."
    evidence_links = factory.LazyFunction(lambda: ["https://example.org/report"])
    recommended_responses = factory.LazyFunction(lambda: ["diplomatic_engagement"])
    awaiting_since = factory.LazyAttribute(
        lambda e: None if e.state in (Escalation.State.DRAFT,) else timezone.now() - dt.timedelta(hours=1)
    )
    submitted_at = factory.LazyAttribute(lambda e: e.awaiting_since)
