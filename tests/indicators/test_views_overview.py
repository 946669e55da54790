"""The overview page: map, ranking, filters, sort, risers, run status line and CSV export, for every role."""

import csv
import io

import pytest
from django.urls import reverse

from tests.factories import AssessmentFactory, CountryFactory, indicator
from tests.indicators.score_rows import score_run_create, scores_create

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("indicators:overview")
EXPORT = reverse("indicators:overview_export")


@pytest.fixture
def scored(country_a, country_b, alice):
    """Alphaland rising into 'high', Betaland calm and falling, Gammaland 'very high' in the genocide group."""
    run = score_run_create()
    scores_create(country=country_a, overall=[40, 42, 45, 50, 55, 60], run=run)
    scores_create(country=country_b, overall=[24, 23, 22, 21, 20, 19], run=run)
    gamma = CountryFactory(iso3="QCC", name="Gammaland", region="Americas", desk=country_b.desk)
    scores_create(country=gamma, overall=[90, 90, 90, 90, 90, 88], run=run)
    AssessmentFactory(country=country_a, author=alice, indicator=indicator("1.1"))
    return run


@pytest.mark.parametrize("persona", ["alice", "bob", "fiona", "victor", "ada"])
def test_every_role_sees_the_ranking_with_bands_and_scores(client, request, scored, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(OVERVIEW, {"desk": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alphaland" in body and "Betaland" in body and "Gammaland" in body
    assert '<span class="band band-high">High</span>' in body
    assert [s.country.iso3 for s in response.context["scores"]] == ["QCC", "QAA", "QBB"]


def test_a_user_without_a_role_is_refused(client, nobody, scored):
    client.force_login(nobody)
    assert client.get(OVERVIEW).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client, scored):
    response = client.get(OVERVIEW)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(EXPORT).status_code == 302


def test_map_figure_uses_local_topojson_and_plotly_from_static(client, victor, scored):
    client.force_login(victor)
    body = client.get(OVERVIEW).content.decode()
    assert '"topojsonURL":"/static/vendor/topojson/"' in body
    assert '<script src="/static/vendor/plotly/plotly.min.js" defer></script>' in body
    assert body.count("plotly.min.js") == 1
    assert "cdn.plot.ly" not in body


def test_filter_by_region_keeps_only_that_region(client, victor, scored):
    client.force_login(victor)
    response = client.get(OVERVIEW, {"region": "Asia"})
    assert [s.country.iso3 for s in response.context["scores"]] == ["QBB"]


def test_filter_by_desk_and_band(client, victor, scored, desk_b):
    client.force_login(victor)
    response = client.get(OVERVIEW, {"desk": desk_b.slug, "band": "very_high"})
    assert [s.country.iso3 for s in response.context["scores"]] == ["QCC"]


def test_crime_group_ranks_and_bands_by_that_groups_score(client, victor, scored):
    """War crimes scores are 0.7 x overall here: Gammaland's 88 becomes 61.6, which is 'high', not 'very high'."""
    client.force_login(victor)
    response = client.get(OVERVIEW, {"crime_group": "war_crimes", "band": "high"})
    scores = response.context["scores"]
    assert [s.country.iso3 for s in scores] == ["QCC"]
    assert scores[0].focus_band == "high"
    assert response.context["score_label"] == "War crimes"


def test_sorting_by_three_month_change_puts_the_biggest_riser_first(client, victor, scored):
    client.force_login(victor)
    response = client.get(OVERVIEW, {"sort": "-change_3m"})
    assert [s.country.iso3 for s in response.context["scores"]] == ["QAA", "QCC", "QBB"]
    assert 'aria-sort="descending"' in response.content.decode()
    ascending = client.get(OVERVIEW, {"sort": "country"})
    assert [s.country.iso3 for s in ascending.context["scores"]] == ["QAA", "QBB", "QCC"]


def test_biggest_risers_lists_only_rising_countries(client, victor, scored):
    client.force_login(victor)
    response = client.get(OVERVIEW)
    assert [s.country.iso3 for s in response.context["risers"]] == ["QAA"]


def test_status_line_shows_the_last_runs_result(client, victor, scored):
    score_run_create(status="failed", error="Database went away")
    client.force_login(victor)
    body = client.get(OVERVIEW).content.decode()
    assert "Last score run: <strong>Failed</strong>" in body
    assert "Database went away" in body


def test_invalid_filter_value_is_named_not_a_500(client, victor, scored):
    client.force_login(victor)
    response = client.get(OVERVIEW, {"band": "catastrophic"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    export = client.get(EXPORT, {"band": "catastrophic"})
    assert export.status_code == 400
    assert "band" in export.content.decode()


@pytest.mark.parametrize(("query", "named"), [({"band": "catastrophic"}, "band: "), ({"sort": "bogus"}, "sort: ")])
def test_invalid_filter_shows_a_message_naming_it_and_the_unfiltered_table(client, victor, scored, query, named):
    client.force_login(victor)
    response = client.get(OVERVIEW, {**query, "region": "Africa"})
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 1 and shown[0].startswith("Not applied") and named in shown[0]
    assert 'class="message error"' in response.content.decode()
    assert [s.country.iso3 for s in response.context["scores"]] == ["QAA"]
    assert not list(client.get(OVERVIEW, {"reset": "1"}).context["messages"])


def test_valid_filters_show_no_filter_message(client, victor, scored):
    client.force_login(victor)
    response = client.get(OVERVIEW, {"band": "high", "sort": "-overall"})
    assert not [str(message) for message in response.context["messages"]]


def test_csv_export_has_exactly_the_filtered_rows_in_the_same_order(client, victor, scored):
    client.force_login(victor)
    page = client.get(OVERVIEW, {"region": "Africa", "sort": "country"})
    response = client.get(EXPORT, {"region": "Africa", "sort": "country"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["iso3"] for row in rows] == [s.country.iso3 for s in page.context["scores"]]
    assert [row["iso3"] for row in rows] == ["QAA"]
    alphaland = rows[0]
    assert alphaland["overall"] == "60.0" and alphaland["band"] == "high" and alphaland["change_3m"] == "15.0"
    assert alphaland["last_assessed"] == "2026-01-15"


def test_export_link_carries_the_current_filters(client, victor, scored):
    client.force_login(victor)
    body = client.get(OVERVIEW, {"region": "Asia", "band": "low"}).content.decode()
    assert f'href="{EXPORT}?region=Asia&amp;band=low"' in body


def test_page_without_scores_says_so(client, victor, country_a):
    client.force_login(victor)
    body = client.get(OVERVIEW).content.decode()
    assert "No score run yet" in body
    assert "No country matches these filters" in body


def test_overview_query_count_does_not_grow_with_countries(client, victor, scored, django_assert_num_queries):
    from django.core.cache import cache

    client.force_login(victor)
    client.get(OVERVIEW)  # warm the session
    # Built afresh (nothing cached for this query): 11 for the page, 2 to remember the filters and the visit, 1 for
    # the user's desks ("My desks" filter), 1 for the forecast column, 1 for the row flags (declarations of imminent
    # risk), 1 for the header's unread-notification count, 1 for the data version that keys the cached pieces.
    with django_assert_num_queries(18):
        client.get(OVERVIEW, {"region": "Africa", "crime_group": "genocide"})
    for _ in range(5):
        scores_create(country=CountryFactory(region="Africa"), overall=[30, 35, 40, 45], run=scored)
    cache.clear()  # these rows came without a new run, which no real write does: build the page again
    with django_assert_num_queries(18):
        client.get(OVERVIEW, {"region": "Africa", "crime_group": "genocide"})


@pytest.mark.parametrize(("cached", "most"), [(False, 7), (True, 2)], ids=["per-user values read", "cached"])
def test_a_cached_overview_asks_only_for_the_visitor_and_the_data_version(
    client, victor, scored, django_assert_max_num_queries, settings, cached, most
):
    """Session, user, roles, the visit (one read within a minute of the last), desks, the data version and the
    header's count: the ranking, map and filters come from the cache. With per-user values cached too (Redis), the
    session (in the database here; in Redis in production) and the data version."""
    settings.USER_VALUES_CACHED = cached
    client.force_login(victor)
    client.get(OVERVIEW, {"region": "Africa"})
    with django_assert_max_num_queries(most):
        response = client.get(OVERVIEW, {"region": "Africa"})
    assert "Alphaland" in response.content.decode()


def test_open_escalations_count_every_submitted_case_until_it_is_closed(client, victor, scored, alice, country_a):
    """A declared imminent risk still needs attention; a private draft and a closed case do not count."""
    from tests.alerts.factories import EscalationFactory

    for state in ("draft", "submitted", "imminent_risk_declared", "monitoring", "closed"):
        EscalationFactory(country=country_a, created_by=alice, state=state)
    client.force_login(victor)
    rows = {row["iso3"]: row for row in csv.DictReader(io.StringIO(client.get(EXPORT).content.decode()))}
    assert rows["QAA"]["open_escalations"] == "3"
    assert rows["QBB"]["open_escalations"] == "0"


def test_the_not_yet_scored_count_follows_the_region_and_desk_filters(client, victor, scored, country_a):
    from indicators.models import Country

    CountryFactory(iso3="QDD", name="Deltaland", region="Africa", desk=country_a.desk)  # never scored
    client.force_login(victor)
    everywhere = client.get(OVERVIEW).context["unscored_count"]
    assert everywhere == Country.objects.exclude(scores__isnull=False).count()
    africa = Country.objects.filter(region="Africa").exclude(scores__isnull=False).count()
    assert client.get(OVERVIEW, {"region": "Africa"}).context["unscored_count"] == africa < everywhere
    assert client.get(OVERVIEW, {"desk": country_a.desk.slug}).context["unscored_count"] == 1
    page = client.get(OVERVIEW, {"band": "high"})
    assert page.context["unscored_count"] is None and "not yet scored" not in page.content.decode()


def test_an_analyst_opens_the_overview_on_their_own_desks(client, alice, scored):
    """My desk is the analyst's default view: a bare visit shows only the countries of their desks."""
    client.force_login(alice)
    response = client.get(OVERVIEW, follow=True)
    assert response.redirect_chain == [(f"{OVERVIEW}?desk=mine", 302)]
    assert [s.country.iso3 for s in response.context["scores"]] == ["QAA"]
    assert '<option value="mine" selected>My desks</option>' in response.content.decode()


def test_the_overview_filters_survive_navigation_per_user(client, alice, bob, scored):
    """A user's last filters come back when they return to the bare overview; another user's do not."""
    client.force_login(alice)
    client.get(OVERVIEW, {"region": "Americas", "crime_group": "genocide", "utm": "x"})
    response = client.get(OVERVIEW)
    assert response.status_code == 302
    assert response["Location"] == f"{OVERVIEW}?region=Americas&crime_group=genocide"
    client.force_login(bob)
    assert client.get(OVERVIEW)["Location"] == f"{OVERVIEW}?desk=mine"


def test_showing_every_country_is_remembered_too(client, alice, scored):
    """After "Show every country" an analyst keeps seeing every country until they filter again."""
    client.force_login(alice)
    client.get(OVERVIEW, {"reset": "1"})
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    assert [s.country.iso3 for s in response.context["scores"]] == ["QCC", "QAA", "QBB"]


def test_a_returning_analyst_sees_big_moves_on_their_desks_since_the_last_visit(client, alice, scored):
    """A visit that ends more than half an hour before the next one anchors "since your last visit"."""
    import datetime as dt

    import time_machine
    from django.template.defaultfilters import date as date_filter
    from django.utils import timezone

    from indicators.models import UserViewState

    client.force_login(alice)
    client.get(OVERVIEW, {"desk": "mine"})
    first_visit = UserViewState.objects.get(user=alice).last_seen_at
    # Two days pass (through the clock, not by editing the row: with Redis the visit state is kept per user).
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        scored.finished_at = timezone.now()
        scored.save()
        response = client.get(OVERVIEW, {"desk": "mine"})
        body = response.content.decode()
        assert "Since your last visit" in body
        assert [s["country"]["iso3"] for s in response.context["big_moves"]] == ["QAA"]
        assert response.context["previous_visit"] == first_visit
        # Reloaded in the same visit, the page still counts from the visit before (kept whole with Redis, so read
        # from what it shows).
        again = client.get(OVERVIEW, {"desk": "mine"}).content.decode()
        shown = date_filter(first_visit, "j M Y, H:i")
        assert f'Since your last visit <span class="muted small">{shown} UTC' in again
