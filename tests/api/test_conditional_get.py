"""Score lists, the assessment list and the overview's CSV export answer 304 while their data is unchanged, and
every change a reader must see (assessment, score run, methodology, alert, escalation) makes the next answer new."""

import datetime as dt
import gzip
import json

import pytest
from django.core.cache import cache
from django.middleware import gzip as gzip_middleware
from django.test import Client

from alerts.models import AlertRule
from alerts.rules import AlertCandidate
from alerts.services import alert_dismiss, alert_raise, escalation_create, escalation_submit
from indicators.models import Country, CountryScore, Methodology, ScoreRun
from indicators.services import assessment_record
from tests.api.conftest import score_months
from tests.factories import indicator

SCORE_LISTS = ("/api/v1/scores/", "/api/v1/countries/QAA/scores/", "/api/v1/scores/?format=csv")


@pytest.fixture
def scored(country_a, alice):
    """One succeeded run with a year of scores for Alphaland."""
    methodology = Methodology.objects.get(is_active=True)
    run = ScoreRun.objects.create(methodology=methodology, trigger="manual", status="succeeded")
    score_months(country_a, methodology, run, [dt.date(2025, month, 1) for month in range(1, 13)])
    return run


def _new_score_run(country: Country, *, overall: float) -> None:
    """What a successful recompute leaves behind: a newer succeeded run and new stored scores."""
    methodology = Methodology.objects.get(is_active=True)
    run = ScoreRun.objects.create(methodology=methodology, trigger="manual", status="succeeded")
    CountryScore.objects.filter(country=country).update(overall=overall, run=run)


def _raise_alert(country: Country):
    rule = AlertRule.objects.filter(is_active=True).order_by("kind").first()
    return alert_raise(
        candidate=AlertCandidate(
            rule_id=rule.pk, rule_kind=rule.kind, country_id=country.pk, message="Sharp rise", fingerprint="rise"
        )
    )


CHANGES = {
    "assessment": lambda country, user: assessment_record(
        country=country,
        indicator=indicator("1.1"),
        observed_on=dt.date(2025, 6, 1),
        severity=3,
        confidence="high",
        source="Desk reporting",
        evidence="Officials' speeches",
        author=user,
    ),
    "score run": lambda country, user: _new_score_run(country, overall=88.0),
    "alert raised": lambda country, user: _raise_alert(country),
    "alert dismissed": lambda country, user: alert_dismiss(alert=_raise_alert(country), user=user, reason="Noise"),
    "escalation submitted": lambda country, user: escalation_submit(
        escalation=escalation_create(country=country, user=user, summary="Case", risk_assessment="Risk"), user=user
    ),
}


@pytest.mark.parametrize("url", SCORE_LISTS)
def test_an_unchanged_score_list_answers_304_to_the_etag_it_gave(token_client, alice, scored, url):
    """A client that sends back the ETag gets 304 with no body while nothing changed."""
    api = token_client(alice)
    first = api.get(url)

    again = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]
    assert first["Last-Modified"]
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("url", SCORE_LISTS)
def test_every_change_a_reader_must_see_ends_the_old_etag(token_client, alice, country_a, scored, change, url):
    """After an assessment, a score run, an alert or an escalation change, the old ETag no longer matches."""
    api = token_client(alice)
    first = api.get(url)

    CHANGES[change](country_a, alice)
    after = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]


def test_a_score_run_shows_its_scores_on_the_next_request_though_the_old_answer_was_cached(
    token_client, victor, country_a, scored
):
    """The cached latest-scores answer is never served once a newer run has stored other scores."""
    api = token_client(victor)
    assert api.get("/api/v1/scores/").json()["results"][0]["overall"] == pytest.approx(51.0)

    _new_score_run(country_a, overall=88.0)

    assert api.get("/api/v1/scores/").json()["results"][0]["overall"] == pytest.approx(88.0)
    assert api.get("/api/v1/countries/QAA/scores/").json()["months"][-1]["overall"] == pytest.approx(88.0)


def test_switching_the_active_methodology_ends_the_cached_answer(token_client, victor, country_a, scored):
    """Scores under another methodology version show at once, though no run and no assessment happened."""
    api = token_client(victor)
    first = api.get("/api/v1/scores/")
    current = Methodology.objects.get(is_active=True)
    other = Methodology.objects.create(version=current.version + 1, name="v-next", parameters=current.parameters)
    Methodology.objects.filter(pk=current.pk).update(is_active=False)
    Methodology.objects.filter(pk=other.pk).update(is_active=True)

    after = api.get("/api/v1/scores/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200
    assert after.json()["results"] == []


def test_the_assessment_list_gives_each_user_their_own_etag(token_client, alice, victor, scored):
    """Lists may differ by reader, so one reader's ETag never earns another a 304."""
    alice_answer = token_client(alice).get("/api/v1/assessments/")

    victor_answer = token_client(victor).get("/api/v1/assessments/", HTTP_IF_NONE_MATCH=alice_answer["ETag"])

    assert victor_answer.status_code == 200
    assert victor_answer["ETag"] != alice_answer["ETag"]


def test_the_overview_export_answers_304_until_an_alert_changes_its_counts(alice, country_a, scored):
    """The CSV's open-alert count is part of its version: unchanged, 304; after a new alert, the new count."""
    client = Client()
    client.force_login(alice)
    first = client.get("/export.csv")
    assert client.get("/export.csv", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    _raise_alert(country_a)
    after = client.get("/export.csv", HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200
    header, row = after.content.decode().splitlines()[:2]
    assert row.split(",")[header.split(",").index("open_alerts")] == "1"


@pytest.mark.parametrize("url", ("/api/v1/scores/", "/api/v1/countries/QAA/scores/"))
def test_a_kept_json_answer_goes_out_compressed_to_a_client_that_accepts_gzip(
    token_client, alice, scored, url, monkeypatch
):
    """The kept answer is gzip as kept (the middleware does not compress it again), the same JSON as a client without
    gzip gets, with a weak ETag (as GZipMiddleware gives) that still answers 304."""
    middleware_compressed = []
    monkeypatch.setattr(gzip_middleware, "compress_string", lambda *a, **k: middleware_compressed.append(a) or b"")
    api = token_client(alice)
    plain = api.get(url)
    built = api.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")  # kept by the first request, so read back
    api.get(url, HTTP_IF_NONE_MATCH="nothing")  # any request of the same URL shares the kept bytes
    cache.clear()
    fresh = api.get(url, HTTP_ACCEPT_ENCODING="gzip")  # built now, and sent compressed too

    for answer in (built, fresh):
        assert answer.status_code == 200
        assert answer["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in answer["Vary"]
        assert json.loads(gzip.decompress(answer.content)) == json.loads(plain.content)
        assert answer["ETag"] == f"W/{plain['ETag']}"
    assert "Content-Encoding" not in plain
    assert "Accept-Encoding" in plain["Vary"]
    assert middleware_compressed == []
    again = api.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=built["ETag"])
    assert again.status_code == 304
