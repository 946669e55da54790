"""API fixtures: a token client per persona, and a small set of scores for two countries."""

import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from atrocity_watch.services import api_token_create
from indicators.models import CountryScore, Methodology, RiskFactor, RiskFactorScore, ScoreRun

PERSONAS = ("alice", "bob", "fiona", "victor", "ada")


@pytest.fixture(autouse=True)
def empty_cache():
    """Throttle counters and cached histories never leak from one test into another."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas get passwords; a slow hasher would dominate these tests' time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def token_client():
    """Build an APIClient that sends a fresh token of the given user, as a script would."""

    def build(user):
        client = APIClient()
        if user is not None:
            secret = api_token_create(user=user, name=f"{user.username} test token").secret
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return build


@pytest.fixture
def persona_clients(personas, nobody, token_client):
    clients = {name: token_client(user) for name, user in personas.items()}
    clients["nobody"] = token_client(nobody)
    clients["anonymous"] = APIClient()
    return clients


def score_months(country, methodology, run, months, *, base=40.0):
    """Monthly CountryScore rows plus the 14 factor scores of each month."""
    factors = list(RiskFactor.objects.filter(framework__is_active=True).order_by("number"))
    scores = []
    for index, month in enumerate(months):
        overall = base + index
        band = "low" if overall < 25 else "moderate" if overall < 50 else "high" if overall < 75 else "very_high"
        scores.append(
            CountryScore.objects.create(
                country=country,
                month=month,
                methodology=methodology,
                run=run,
                overall=overall,
                band=band,
                common=overall - 5,
                genocide=overall,
                crimes_against_humanity=overall - 2,
                war_crimes=overall - 3,
                coverage=0.5,
                change_3m=1.0,
                change_12m=None,
            )
        )
        for factor in factors:
            RiskFactorScore.objects.create(
                country=country,
                month=month,
                methodology=methodology,
                run=run,
                risk_factor=factor,
                score=float(factor.number),
                coverage=0.5,
                indicators_assessed=2,
            )
    return scores


@pytest.fixture
def scored(country_a, country_b):
    """QAA scored high (55-57) and QBB moderate (30-32) for January to March 2026."""
    methodology = Methodology.objects.get(is_active=True)
    run = ScoreRun.objects.create(methodology=methodology, trigger="manual", status="succeeded")
    months = [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    score_months(country_a, methodology, run, months, base=55.0)
    score_months(country_b, methodology, run, months, base=30.0)
    return run
