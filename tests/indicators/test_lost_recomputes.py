"""A score recompute whose task message was lost (a Redis restart) is found from the database by the every-minute
reaper, QUEUED_LOST_SECONDS after the change, and queued again in one batched task: the desk officer's saved
assessment reaches the score within minutes, not at the nightly recompute. A country already recomputed (by a run of
the active methodology over every month that covers it and started after the change), one whose recompute still waits
in the outbox or out its countdown, or whose recompute ran and failed, is left alone, and one no worker takes is
queued again a bounded number of times."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from atrocity_watch.celery import app as celery_app
from core.models import OutboxMessage
from indicators.importers.services import dataset_import_run
from indicators.importers.tasks import dataset_import_task
from indicators.models import Country, CountryScore, Methodology, ScoreRun
from indicators.scoring.lost_messages import SCORES_RECOMPUTE_LOST_KEY, score_runs_since
from indicators.scoring.services import scores_recompute
from indicators.services import SCORES_RECOMPUTE_COUNTRIES_TASK, assessment_record
from indicators.tasks import runs_reap_stale_task
from tests.factories import indicator
from tests.indicators.test_demo_retired_by_real_data import demo, ucdp_file  # noqa: F401  (fixture)
from tests.indicators.test_lost_messages import at, lost_import  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def messages_lost() -> None:
    """The outbox handed every message to the broker, which then lost them."""
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT, sent_at=timezone.now())


def save(country, author):
    """A serious assessment saved by an analyst; the recompute it asks for is in the outbox, not yet sent."""
    return assessment_record(
        country=country,
        indicator=indicator("1.1"),
        observed_on=dt.date(2026, 10, 1),
        severity=3,
        confidence="high",
        source="Embassy reporting",
        author=author,
    )


@pytest.fixture
def saved(country_a, alice):
    return save(country_a, alice)


def recomputes_queued_again() -> list[dict]:
    return list(
        OutboxMessage.objects.filter(task_name=SCORES_RECOMPUTE_COUNTRIES_TASK).values_list("kwargs", flat=True)
    )


def test_a_saved_assessment_whose_recompute_was_lost_is_scored_within_minutes(
    saved, country_a, django_capture_on_commit_callbacks
):
    messages_lost()
    with at(9):
        assert runs_reap_stale_task()["scores_lost"] == []
    with at(11), django_capture_on_commit_callbacks(execute=True):
        assert runs_reap_stale_task()["scores_lost"] == [country_a.pk]
        assert runs_reap_stale_task()["scores_lost"] == []
    run = ScoreRun.objects.get()
    assert run.status == ScoreRun.Status.SUCCEEDED and run.country_scope == ["QAA"]
    october = CountryScore.objects.get(country=country_a, month=dt.date(2026, 10, 1))
    assert october.run == run and october.overall == pytest.approx(100)
    assert [kwargs["country_ids"] for kwargs in recomputes_queued_again()] == [[country_a.pk]]


def test_a_country_recomputed_after_its_change_is_not_queued_again(saved, country_a):
    messages_lost()
    scores_recompute(trigger=ScoreRun.Trigger.NEW_DATA, country_ids=[country_a.pk])
    with at(11):
        assert runs_reap_stale_task()["scores_lost"] == []
    assert recomputes_queued_again() == []


def score_run(**fields) -> ScoreRun:
    """A run of the active methodology over every month, of QAA, started now; `fields` say how it differs."""
    return ScoreRun.objects.create(
        **{
            "methodology": Methodology.objects.get(is_active=True),
            "trigger": ScoreRun.Trigger.NEW_DATA,
            "status": ScoreRun.Status.SUCCEEDED,
            "country_scope": ["QAA"],
            "started_at": timezone.now(),
            **fields,
        }
    )


def test_a_recompute_that_ran_and_failed_is_left_to_its_recorded_failure(saved, country_a):
    """No storm: the failed run is on the runs page with its error; the nightly recompute runs again."""
    messages_lost()
    score_run(status=ScoreRun.Status.FAILED, error="OperationalError: the database went away")
    with at(11):
        assert runs_reap_stale_task()["scores_lost"] == []


def another_methodology() -> Methodology:
    active = Methodology.objects.get(is_active=True)
    return Methodology.objects.create(version=active.version + 1, name="Draft", parameters=active.parameters)


@pytest.mark.parametrize(
    ("run_fields", "settles"),
    [
        pytest.param(dict, True, id="its-country"),
        pytest.param(lambda: {"country_scope": []}, True, id="every-country"),
        pytest.param(lambda: {"country_scope": ["QBB", "QAA"]}, True, id="several-countries-with-it"),
        pytest.param(lambda: {"country_scope": ["QBB"]}, False, id="another-country"),
        pytest.param(lambda: {"methodology": another_methodology()}, False, id="an-inactive-methodology"),
        pytest.param(lambda: {"since": dt.date(2026, 11, 1)}, False, id="only-recent-months"),
    ],
)
def test_only_a_run_of_the_active_methodology_over_every_month_that_covers_the_country_and_started_after_settles_it(
    saved, country_a, run_fields, settles
):
    """Any other run may have left the change unscored: the country is still owed its recompute."""
    messages_lost()
    score_run(**run_fields())
    with at(11):
        assert runs_reap_stale_task()["scores_lost"] == ([] if settles else [country_a.pk])


def test_a_run_started_before_a_change_leaves_it_owed(country_a, country_b, alice, bob):
    """A run of every country started between QBB's change and QAA's scored QBB's alone."""
    save(country_b, bob)
    score_run(country_scope=[])
    with at(1):
        save(country_a, alice)
    messages_lost()
    with at(12):
        assert runs_reap_stale_task()["scores_lost"] == [country_a.pk]


def test_the_batched_request_counts_as_made_at_the_latest_change_of_its_countries(saved, country_a, country_b, bob):
    """A run started between the two changes must not excuse the batch: it would leave QBB's change unscored."""
    with at(2):
        later = save(country_b, bob)
    messages_lost()
    with at(13):
        assert runs_reap_stale_task()["scores_lost"] == [country_a.pk, country_b.pk]
    (request,) = recomputes_queued_again()
    assert dt.datetime.fromisoformat(request["requested_at"]) == later.recorded_at


def test_a_recompute_still_waiting_in_the_outbox_is_not_queued_twice(saved):
    """The broker was down: the outbox still holds the request and sends it when the broker is back."""
    with at(11):
        assert runs_reap_stale_task()["scores_lost"] == []
    assert recomputes_queued_again() == []


def test_a_debounced_recompute_waiting_out_its_countdown_is_queued_again_only_a_period_after_it_was_due(
    country_a, alice, settings
):
    """A second save within the debounce window is scored by a trailing recompute at the window's end; its message
    went to the broker at once, with that countdown, and is not lost while it waits."""
    settings.SCORES_RECOMPUTE_DEBOUNCE_SECONDS = 900
    celery_app.conf.task_always_eager = False  # the autouse celery_eager fixture restores it
    cache.clear()
    save(country_a, alice)
    scores_recompute(trigger=ScoreRun.Trigger.NEW_DATA, country_ids=[country_a.pk])  # the leading recompute
    with at(1):
        save(country_a, alice)  # the trailing recompute is due at minute 16
    messages_lost()
    with at(12):
        assert runs_reap_stale_task()["scores_lost"] == []
    with at(25):
        assert runs_reap_stale_task()["scores_lost"] == []
    with at(27):
        assert runs_reap_stale_task()["scores_lost"] == [country_a.pk]


def test_while_the_broker_refuses_the_sweeps_last_request_it_adds_no_other(saved, country_a, country_b, bob):
    """The outbox sends that request first when the broker is back; the next sweep then asks for the rest."""
    messages_lost()
    with at(11):
        assert runs_reap_stale_task()["scores_lost"] == [country_a.pk]
        save(country_b, bob)
    OutboxMessage.objects.exclude(dedupe_key=SCORES_RECOMPUTE_LOST_KEY).update(status=OutboxMessage.Status.SENT)
    with at(23):
        assert runs_reap_stale_task()["scores_lost"] == []
    assert [kwargs["country_ids"] for kwargs in recomputes_queued_again()] == [[country_a.pk]]


def test_a_recompute_no_worker_takes_is_queued_again_once_a_period_and_then_left_to_the_nightly_run(
    saved, country_a, settings
):
    settings.QUEUED_REQUEUES_MAX = 2
    messages_lost()
    with at(11):
        assert runs_reap_stale_task()["scores_lost"] == [country_a.pk]
    messages_lost()
    with at(15):
        assert runs_reap_stale_task()["scores_lost"] == []
    with at(22):
        assert runs_reap_stale_task()["scores_lost"] == [country_a.pk]
    messages_lost()
    with at(33):
        assert runs_reap_stale_task()["scores_lost"] == []
    assert len(recomputes_queued_again()) == 2


def test_an_import_whose_recompute_request_was_lost_after_its_commit_gets_its_countries_scored(
    lost_import,  # noqa: F811
    country_a,
    django_capture_on_commit_callbacks,
):
    """The process stopped right after the import committed, before it asked for the recompute (on commit): the
    import's row says which countries it changed."""
    assert dataset_import_task(lost_import.pk) == "succeeded"  # its on-commit request never runs here
    assert recomputes_queued_again() == []
    with at(11), django_capture_on_commit_callbacks(execute=True):
        assert runs_reap_stale_task()["scores_lost"] == [country_a.pk]
    run = ScoreRun.objects.get()
    assert run.country_scope == ["QAA"] and CountryScore.objects.filter(country=country_a, run=run).exists()


def test_a_real_import_whose_recompute_was_lost_gets_the_demo_countries_it_retired_scored_too(
    demo,  # noqa: F811
    tmp_path,
):
    """Sudan's stored scores were made of invented data the import retired, though the import has no row for it."""
    dataset_import_run(
        source="ucdp_country_year", path_or_file=ucdp_file(tmp_path, "775,Myanmar,2021,2500,0,1200,1300")
    )
    messages_lost()  # the recompute the import asked for (on commit) and the retirement's, both lost
    with at(11):
        owed = runs_reap_stale_task()["scores_lost"]
    assert {"MMR", "SDN"} <= set(Country.objects.filter(pk__in=owed).values_list("iso3", flat=True))


def test_the_sweep_reads_the_runs_of_its_window_through_an_index():
    """Every minute: a full scan of the runs costs 17 ms at 100,000 of them; (methodology, started_at) answers at
    once."""
    runs = score_runs_since(methodology_id=Methodology.objects.get(is_active=True).pk, since=timezone.now())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # with a handful of rows the planner would scan anyway
    assert "scorerun_methodology_started" in runs.explain()
