"""Score runs: storage replaces a scope atomically, failures keep previous scores, runs overlap safely, triggers."""

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from atrocity_watch.celery import app as celery_app
from indicators.models import CountryScore, Methodology, MethodologyInUseError, RiskFactorScore, ScoreRun
from indicators.scoring import services
from indicators.scoring.selectors import country_scores_latest, score_explanation
from indicators.scoring.services import methodology_publish, scores_recompute
from indicators.selectors import country_score_history
from indicators.services import assessment_record
from indicators.signals import score_run_finished
from indicators.tasks import scores_recompute_country_task
from tests.factories import AssessmentFactory, indicator


def months_from(start: dt.date) -> int:
    today = timezone.localdate()
    return (today.year - start.year) * 12 + today.month - start.month + 1


@pytest.fixture
def assessed(country_a, country_b, alice, bob):
    """QAA with a serious 1.1 and QBB with a low 9.1, both observed in January 2026."""
    AssessmentFactory(country=country_a, indicator=indicator("1.1"), severity=3, author=alice,
                      observed_on=dt.date(2026, 1, 15))  # fmt: skip
    AssessmentFactory(country=country_b, indicator=indicator("9.1"), severity=1, author=bob,
                      observed_on=dt.date(2026, 1, 10))  # fmt: skip
    return country_a, country_b


def stored(country):
    return {
        (row.month, row.run_id, row.overall) for row in CountryScore.objects.filter(country=country).order_by("month")
    }


def test_a_full_run_scores_every_assessed_country_for_every_month_and_names_its_methodology_and_run(assessed):
    country_a, country_b = assessed
    run = scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    months = months_from(dt.date(2026, 1, 1))
    assert run.status == ScoreRun.Status.SUCCEEDED
    assert run.countries_count == 2
    assert run.observations_count == 2
    assert run.score_rows == 2 * months * 15
    active = Methodology.objects.get(is_active=True)
    for model in (CountryScore, RiskFactorScore):
        assert set(model.objects.values_list("run_id", "methodology_id").distinct()) == {(run.pk, active.pk)}
    january = CountryScore.objects.get(country=country_a, month=dt.date(2026, 1, 1))
    assert january.overall == pytest.approx(100)
    # One assessment is far below methodology v2's evidence minimum: the score is shown but not banded.
    assert january.band == "" and january.data_confidence_level == "insufficient"
    assert CountryScore.objects.filter(country=country_a).count() == months


def test_a_country_run_replaces_only_that_country(assessed):
    country_a, country_b = assessed
    first = scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    second = scores_recompute(trigger=ScoreRun.Trigger.MANUAL, country_ids=[country_a.pk])
    assert set(CountryScore.objects.filter(country=country_a).values_list("run_id", flat=True)) == {second.pk}
    assert set(CountryScore.objects.filter(country=country_b).values_list("run_id", flat=True)) == {first.pk}
    assert CountryScore.objects.filter(country=country_a).count() == months_from(dt.date(2026, 1, 1))
    assert second.country_scope == ["QAA"]


def test_a_run_since_a_month_keeps_the_earlier_months(assessed):
    country_a, _ = assessed
    first = scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    second = scores_recompute(trigger=ScoreRun.Trigger.MANUAL, country_ids=[country_a.pk], since=dt.date(2026, 3, 1))
    runs = dict(CountryScore.objects.filter(country=country_a).values_list("month", "run_id"))
    assert runs[dt.date(2026, 2, 1)] == first.pk
    assert runs[dt.date(2026, 3, 1)] == second.pk
    assert len(runs) == months_from(dt.date(2026, 1, 1))


def test_a_run_that_fails_midway_leaves_the_previous_scores_in_place(assessed, django_capture_on_commit_callbacks):
    """The first country's rows are already on their way to the database when computing the second one fails."""
    country_a, country_b = assessed
    scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    before = stored(country_a) | stored(country_b)
    factor_rows = RiskFactorScore.objects.count()
    real_compute = services.scores_compute
    batches = []

    def compute_then_fail(*args, **kwargs):
        batches.append(kwargs)
        if len(batches) == 2:
            raise RuntimeError("out of memory")
        return real_compute(*args, **kwargs)

    real_writer = services.score_rows_writer
    written = []

    @contextlib.contextmanager
    def counting_writer(table, columns):
        with real_writer(table, columns) as write:
            yield lambda frame: (written.append(len(frame)), write(frame))

    finished = []
    score_run_finished.connect(lambda sender, run, **kw: finished.append(run), weak=False, dispatch_uid="t-fail")
    try:
        with (
            django_capture_on_commit_callbacks(execute=True),
            mock.patch.object(services, "RUN_BATCH_COUNTRIES", 1),
            mock.patch.object(services, "scores_compute", compute_then_fail),
            mock.patch.object(services, "score_rows_writer", counting_writer),
            pytest.raises(RuntimeError),
        ):
            scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    finally:
        score_run_finished.disconnect(dispatch_uid="t-fail")
    assert len(batches) == 2 and written and written[0] > 0  # the first batch's rows were sent
    assert stored(country_a) | stored(country_b) == before
    assert RiskFactorScore.objects.count() == factor_rows
    failed = ScoreRun.objects.order_by("-pk").first()
    assert failed.status == ScoreRun.Status.FAILED
    assert "out of memory" in failed.error
    assert failed.finished_at is not None
    assert [run.pk for run in finished] == [failed.pk]


def test_a_run_that_fails_writing_its_scores_leaves_the_previous_scores_in_place(assessed):
    """The factor rows are written and the country rows fail: nothing of the run is kept."""
    country_a, country_b = assessed
    scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    before = stored(country_a) | stored(country_b)
    factor_rows = RiskFactorScore.objects.count()
    real_write = services.score_rows_write

    def write_then_fail(table, columns, frame):
        real_write(table, columns, frame)
        raise RuntimeError("disk full")

    with mock.patch.object(services, "score_rows_write", write_then_fail), pytest.raises(RuntimeError):
        scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    assert stored(country_a) | stored(country_b) == before
    assert RiskFactorScore.objects.count() == factor_rows
    assert "disk full" in ScoreRun.objects.order_by("-pk").first().error


@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_while_scores_stream_is_a_transient_error_the_tasks_retry(assessed):
    """The server goes away mid-COPY: the error is Django's OperationalError (what the tasks retry on), not
    psycopg's own, and the previous scores are still there once the database is back."""
    if connection.vendor != "postgresql":
        pytest.skip("The COPY path is PostgreSQL's.")
    import psycopg

    from core.retry import TRANSIENT_DATABASE_ERRORS

    country_a, country_b = assessed
    scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    before = stored(country_a) | stored(country_b)
    real_compute = services.scores_compute
    killed = []

    def compute_then_lose_the_server(*args, **kwargs):
        frames = real_compute(*args, **kwargs)
        if not killed:
            pid = connection.connection.info.backend_pid
            params = {key: value for key, value in connection.get_connection_params().items() if key != "context"}
            params.pop("cursor_factory", None)
            with psycopg.connect(**params, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
            killed.append(pid)
        return frames

    with (
        mock.patch.object(services, "RUN_BATCH_COUNTRIES", 1),
        mock.patch.object(services, "scores_compute", compute_then_lose_the_server),
        pytest.raises(TRANSIENT_DATABASE_ERRORS),
    ):
        scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    connection.close()
    assert killed
    assert stored(country_a) | stored(country_b) == before


def test_an_empty_country_scope_is_refused_rather_than_read_as_every_country(assessed):
    with pytest.raises(ValidationError, match="No country given"):
        scores_recompute(trigger=ScoreRun.Trigger.MANUAL, country_ids=[])
    assert not ScoreRun.objects.exists()


def test_an_older_run_never_overwrites_scores_of_a_newer_run_that_read_fresher_data(assessed, alice):
    """Run A reads, then run B (started later) records and stores fresher scores; A must not write over them."""
    country_a, _ = assessed
    real_read = services.assessments_frame_read
    inner_runs = []

    def read_while_another_run_finishes(*args, **kwargs):
        frame = real_read(*args, **kwargs)
        if not inner_runs:
            inner_runs.append(None)
            AssessmentFactory(country=country_a, indicator=indicator("1.2"), severity=0, author=alice,
                              observed_on=dt.date(2026, 2, 3))  # fmt: skip
            inner_runs[0] = scores_recompute(trigger=ScoreRun.Trigger.NEW_DATA, country_ids=[country_a.pk])
        return frame

    with mock.patch.object(services, "assessments_frame_read", read_while_another_run_finishes):
        outer = scores_recompute(trigger=ScoreRun.Trigger.MANUAL, country_ids=[country_a.pk])
    inner = inner_runs[0]
    assert outer.status == inner.status == ScoreRun.Status.SUCCEEDED
    assert "newer run" in outer.error
    rows = CountryScore.objects.filter(country=country_a)
    assert set(rows.values_list("run_id", flat=True)) == {inner.pk}
    assert rows.count() == months_from(dt.date(2026, 1, 1))
    # The fresher data (a second indicator of factor 1 at severity 0) is what is stored.
    assert rows.get(month=dt.date(2026, 2, 1)).common < 100


def test_a_run_in_batches_stores_the_same_scores_as_one_batch(assessed):
    """Computing a country at a time changes nothing in what is stored."""
    scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    columns = ("country_id", "month", "overall", "band", "common", "coverage", "change_3m", "change_12m")
    factor_columns = ("country_id", "month", "risk_factor_id", "score", "coverage")
    whole = set(CountryScore.objects.values_list(*columns))
    factors = set(RiskFactorScore.objects.values_list(*factor_columns))
    with mock.patch.object(services, "RUN_BATCH_COUNTRIES", 1):
        run = scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    assert set(CountryScore.objects.values_list(*columns)) == whole
    assert (
        set(RiskFactorScore.objects.values_list("country_id", "month", "risk_factor_id", "score", "coverage"))
        == factors
    )
    assert run.countries_count == 2
    assert run.score_rows == CountryScore.objects.count() + RiskFactorScore.objects.count()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_runs_for_one_country_leave_one_consistent_set_of_scores(django_db_setup):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need a server database; SQLite serialises writes itself.")
    from tests.factories import CountryFactory, UserFactory

    country = CountryFactory(iso3="QCC")
    author = UserFactory(username="carol", role="analyst")
    AssessmentFactory(country=country, indicator=indicator("1.1"), severity=2, author=author)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            scores_recompute(trigger=ScoreRun.Trigger.MANUAL, country_ids=[country.pk])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    rows = CountryScore.objects.filter(country=country)
    assert rows.count() == months_from(dt.date(2026, 1, 1))
    assert rows.values("run_id").distinct().count() == 1
    assert RiskFactorScore.objects.filter(country=country).values("run_id").distinct().count() == 1
    assert ScoreRun.objects.filter(status=ScoreRun.Status.SUCCEEDED).count() == 2


def test_recording_an_assessment_recomputes_its_country_after_commit(
    country_a, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assessment_record(country=country_a, indicator=indicator("1.1"), observed_on=dt.date(2026, 3, 2),
                          severity=2, confidence="high", source="Desk reporting", author=alice)  # fmt: skip
        assert not ScoreRun.objects.exists()  # nothing happens before the assessment is committed
    run = ScoreRun.objects.get()
    assert run.trigger == ScoreRun.Trigger.NEW_DATA
    assert run.country_scope == ["QAA"]
    assert CountryScore.objects.get(country=country_a, month=dt.date(2026, 3, 1)).overall == pytest.approx(100 * 2 / 3)


def test_a_burst_of_assessments_for_one_country_recomputes_at_once_and_once_more_at_the_windows_end(
    country_a, alice, django_capture_on_commit_callbacks, settings
):
    """The first save is scored at once; the other 19 of the burst wait for one trailing recompute."""
    settings.SCORES_RECOMPUTE_DEBOUNCE_SECONDS = 10
    celery_app.conf.task_always_eager = False  # the autouse celery_eager fixture restores it
    cache.clear()
    with mock.patch.object(celery_app, "send_task") as send_task:
        for day in range(1, 21):
            with django_capture_on_commit_callbacks(execute=True):
                assessment_record(country=country_a, indicator=indicator("1.1"), observed_on=dt.date(2026, 3, day),
                                  severity=1, confidence="low", source="Desk reporting", author=alice)  # fmt: skip
    calls = [call for call in send_task.call_args_list if call.args[0] == scores_recompute_country_task.name]
    assert len(calls) == 2
    leading, trailing = (call.kwargs for call in calls)
    assert leading["kwargs"]["country_id"] == trailing["kwargs"]["country_id"] == country_a.pk
    assert not leading["countdown"]
    assert 9 < trailing["countdown"] <= 10
    # The trailing task counts as requested at the window's end, so the leading run cannot excuse it.
    requested = [dt.datetime.fromisoformat(call["kwargs"]["requested_at"]) for call in (leading, trailing)]
    assert requested[1] - requested[0] >= dt.timedelta(seconds=10)


def test_a_trailing_recompute_still_runs_after_the_leading_run_that_started_before_its_requests(
    country_a, alice, settings, django_capture_on_commit_callbacks
):
    """An assessment saved while the leading run was already under way is scored by the trailing run."""
    from indicators.services import scores_recompute_request

    settings.SCORES_RECOMPUTE_DEBOUNCE_SECONDS = 10
    celery_app.conf.task_always_eager = False
    cache.clear()
    with mock.patch.object(celery_app, "send_task") as send_task:
        with django_capture_on_commit_callbacks(execute=True):
            scores_recompute_request(country_ids=[country_a.pk], trigger=ScoreRun.Trigger.NEW_DATA)
        scores_recompute(trigger=ScoreRun.Trigger.NEW_DATA, country_ids=[country_a.pk])  # the leading run
        AssessmentFactory(country=country_a, author=alice, observed_on=dt.date(2026, 3, 9), severity=3)
        with django_capture_on_commit_callbacks(execute=True):
            scores_recompute_request(country_ids=[country_a.pk], trigger=ScoreRun.Trigger.NEW_DATA)
    trailing = send_task.call_args_list[-1].kwargs
    celery_app.conf.task_always_eager = True
    scores_recompute_country_task.apply(kwargs=trailing["kwargs"]).get()
    assert ScoreRun.objects.count() == 2
    assert CountryScore.objects.get(country=country_a, month=dt.date(2026, 3, 1)).overall == pytest.approx(100)


def test_a_queued_recompute_is_skipped_when_a_later_run_already_covered_it(assessed):
    country_a, _ = assessed
    requested_at = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)).isoformat()
    scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    assert scores_recompute_country_task.delay(country_id=country_a.pk, requested_at=requested_at).get() is None
    assert ScoreRun.objects.count() == 1
    # Without a covering run it recomputes; running it twice gives the same stored scores (idempotent).
    scores_recompute_country_task.delay(country_id=country_a.pk).get()
    first = {(r.month, r.overall) for r in CountryScore.objects.filter(country=country_a)}
    scores_recompute_country_task.delay(country_id=country_a.pk).get()
    assert {(r.month, r.overall) for r in CountryScore.objects.filter(country=country_a)} == first


def test_the_nightly_task_is_scheduled_and_recomputes_everything(assessed):
    from indicators.tasks import scores_recompute_all_task

    assert celery_app.conf.beat_schedule["scores-recompute-nightly"]["task"] == scores_recompute_all_task.name
    assert scores_recompute_all_task.acks_late is True
    run = ScoreRun.objects.get(pk=scores_recompute_all_task.delay().get())
    assert run.trigger == ScoreRun.Trigger.SCHEDULE
    assert run.country_scope == []


def test_a_methodology_that_produced_scores_cannot_change(assessed):
    scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    methodology = Methodology.objects.get(is_active=True)
    methodology.parameters = {**methodology.parameters, "half_life_months": 6}
    with pytest.raises(MethodologyInUseError, match="publish a new version"):
        methodology.save()
    fresh = Methodology.objects.get(pk=methodology.pk)
    fresh.is_active = False
    fresh.save()  # switching it off is allowed


def test_publishing_a_methodology_makes_a_new_active_version_and_new_scores_name_it(assessed, ada):
    v1 = Methodology.objects.get(is_active=True)
    v2 = methodology_publish(name="Shorter memory", parameters={**v1.parameters, "half_life_months": 6}, created_by=ada)
    assert v2.version == v1.version + 1
    assert list(Methodology.objects.filter(is_active=True)) == [v2]
    run = scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    assert run.methodology == v2
    assert set(CountryScore.objects.values_list("methodology_id", flat=True)) == {v2.pk}


def test_publishing_bad_parameters_is_refused_with_the_problem_named(db):
    v1 = Methodology.objects.get(is_active=True)
    with pytest.raises(ValidationError, match="max_age_months"):
        methodology_publish(name="Broken", parameters={**v1.parameters, "max_age_months": -1})
    assert Methodology.objects.count() == 3  # v1, v2 and v3, all published by migrations


def test_selectors_give_latest_scores_history_and_an_explanation(assessed, alice):
    country_a, country_b = assessed
    AssessmentFactory(country=country_a, indicator=indicator("1.2"), severity=1, confidence="medium", author=alice,
                      observed_on=dt.date(2026, 4, 2))  # fmt: skip
    scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    active = Methodology.objects.get(is_active=True)
    latest = list(country_scores_latest(methodology=active))
    assert [score.country.iso3 for score in latest] == ["QAA", "QBB"]
    history = country_score_history(countries=[country_a, country_b], methodology=active, since=dt.date(2026, 2, 9))
    assert history[country_a.pk][0]["month"] == dt.date(2026, 2, 1)
    assert [row["month"] for row in history[country_a.pk]] == sorted(row["month"] for row in history[country_a.pk])
    assert set(history) == {country_a.pk, country_b.pk}

    explanation = score_explanation(country=country_a, month=dt.date(2026, 4, 1))
    factor = explanation.factors[0]
    stored_factor = RiskFactorScore.objects.get(country=country_a, month=dt.date(2026, 4, 1), risk_factor__number=1)
    assert factor.score == pytest.approx(stored_factor.score)
    assert {c.code: (c.severity, c.age_months) for c in factor.contributions} == {"1.1": (3, 3), "1.2": (1, 0)}
    assert explanation.compared_with == dt.date(2026, 1, 1)
    assert {change.code: change.kind for change in factor.changes} == {"1.1": "aged", "1.2": "new"}
    assert factor.change == pytest.approx(factor.score - 100)
    assert explanation.stored.overall == pytest.approx(
        CountryScore.objects.get(country=country_a, month=dt.date(2026, 4, 1)).overall
    )


def test_recompute_scores_command_prints_the_run_summary(assessed, capsys):
    call_command("recompute_scores", "--country", "QAA", "--since", "2026-02")
    out = capsys.readouterr().out
    assert "succeeded" in out and "QAA since 2026-02" in out
    assert ScoreRun.objects.get().since == dt.date(2026, 2, 1)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [(["--country", "ZZZ"], "Unknown country code(s): ZZZ"), (["--since", "2026-13"], "not a month"),
     (["--since", "yesterday"], "YYYY-MM")],
)  # fmt: skip
def test_recompute_scores_command_names_bad_input(db, arguments, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("recompute_scores", *arguments)
    assert not ScoreRun.objects.exists()


def test_the_benchmark_measures_a_run_against_the_io_floor(db):
    from atrocity_watch.management.commands.bench_scoring import benchmark_run

    result = benchmark_run(countries=3, years=2, per_year=2, seed=1, log=lambda message: None)
    assert result["observations"] == 3 * 142 * 2 * 2
    assert result["score_rows"] == result["floor_score_rows"]
    for key in ("recompute_seconds", "io_floor_seconds", "ratio", "peak_rss_mb", "single_country_seconds"):
        assert result[key] > 0
    json.dumps(result)


def test_the_benchmark_command_on_sqlite_works_in_a_scratch_file_and_leaves_the_users_database_alone(tmp_path):
    """Run as a user would: manage.py in its own process, pointed at a SQLite database that must stay untouched."""
    users_database = tmp_path / "users.sqlite3"
    scratch_dir = tmp_path / "tmp"
    scratch_dir.mkdir()
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "CELERY_"))}
    environment.update(DATABASE_URL=f"sqlite:///{users_database}", TMPDIR=str(scratch_dir))
    arguments = ["--countries", "2", "--years", "1", "--per-indicator-year", "1", "--json"]
    finished = subprocess.run(
        [sys.executable, "manage.py", "bench_scoring", *arguments],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    result = json.loads(finished.stdout)
    assert result["observations"] == 2 * 142
    assert result["score_rows"] == result["floor_score_rows"] > 0
    assert result["database"].startswith("SQLite")
    assert not users_database.exists()
    assert list(scratch_dir.iterdir()) == []  # the scratch file is removed


@pytest.mark.django_db(transaction=True)
def test_the_benchmark_command_uses_a_scratch_database_and_prints_one_json_object(capsys):
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL; on SQLite the test above runs the command in its own process.")
    before = connection.settings_dict["NAME"]
    call_command("bench_scoring", "--countries", "2", "--years", "1", "--per-indicator-year", "1", "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["observations"] == 2 * 142
    assert result["database"].startswith("PostgreSQL")
    assert connection.settings_dict["NAME"] == before
    assert not CountryScore.objects.exists()
