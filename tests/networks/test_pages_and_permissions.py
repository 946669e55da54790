"""Network pages and services per role and desk: desk analysts edit, everyone else with a role reads."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from alerts.models import ResponseAction, Tool
from networks.models import Actor, ActorVersion, EscalationActor, SanctionTarget
from networks.services import actor_record, escalation_actor_link, sanction_target_add
from tests.alerts.factories import EscalationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def general(imported_network):
    return Actor.objects.get(ftm_id="general")


@pytest.mark.parametrize("persona", ["alice", "bob", "fiona", "victor", "ada"])
def test_every_role_reads_the_country_network_and_actor_pages(client, personas, persona, general, country_a):
    """Each role opens the network page (with its ranked tables) and an actor's profile."""
    client.force_login(personas[persona])
    page = client.get(reverse("networks:country_network", args=[country_a.iso3]))
    assert page.status_code == 200
    assert b"Most central actors" in page.content
    assert b"Gen. Test" in page.content
    profile = client.get(reverse("networks:actor_detail", args=[general.pk]))
    assert profile.status_code == 200
    assert b"Desk reporting" in profile.content


def test_a_user_without_role_is_refused(client, nobody, general):
    """An account without a role reads nothing."""
    client.force_login(nobody)
    assert client.get(reverse("networks:actor_detail", args=[general.pk])).status_code == 403


@pytest.mark.parametrize(
    ("persona", "may_edit"), [("alice", True), ("ada", True), ("bob", False), ("fiona", False), ("victor", False)]
)
def test_only_analysts_of_the_desk_and_administrators_edit_an_actor(client, personas, persona, may_edit, general):
    """Alice (QAA's desk) and Ada edit; Bob of another desk, the Focal Point and the viewer are refused."""
    client.force_login(personas[persona])
    profile = client.get(reverse("networks:actor_detail", args=[general.pk]))
    assert (b"Edit (new version)" in profile.content) is may_edit
    form = client.get(reverse("networks:actor_edit", args=[general.pk]))
    assert form.status_code == (200 if may_edit else 403)


def test_editing_an_actor_keeps_its_history(client, alice, general):
    """Saving the edit form records version 2; version 1 stays with its old name."""
    client.force_login(alice)
    response = client.post(
        reverse("networks:actor_edit", args=[general.pk]),
        {
            "name": "Gen. Test Renamed",
            "kind": "person",
            "countries": ["QAA"],
            "sources": "Embassy cable 12\nUN panel report",
            "confidence": "high",
            "note": "Name corrected",
        },
    )
    assert response.status_code == 302
    general.refresh_from_db()
    assert general.version == 2 and general.name == "Gen. Test Renamed"
    assert general.sources == ["Embassy cable 12", "UN panel report"]
    names = list(ActorVersion.objects.filter(actor=general).order_by("version").values_list("name", "note"))
    assert names == [("Gen. Test", ""), ("Gen. Test Renamed", "Name corrected")]
    assert general.properties["name"] == ["Gen. Test Renamed"]


def test_an_analyst_of_another_desk_cannot_record_an_actor_of_this_country(bob, country_a):
    """The service refuses Bob an actor that concerns only QAA."""
    with pytest.raises(PermissionDenied):
        actor_record(user=bob, kind="person", name="X", country_codes=["QAA"], sources=["s"], confidence="low")


def test_the_analyst_adds_a_command_relationship_through_the_form(client, alice, general):
    """A command of the general over the militia is recorded as an FtM Directorship with the role 'command'."""
    militia = Actor.objects.get(ftm_id="militia")
    client.force_login(alice)
    response = client.post(
        reverse("networks:relationship_create", args=[general.pk]),
        {
            "kind": "command",
            "target": militia.pk,
            "label": "Overall commander",
            "sources": "Witness statements",
            "confidence": "medium",
            "valid_from": "2021-01-01",
        },
    )
    assert response.status_code == 302, response.content
    command = general.relationships_out.get(kind="command", target=militia)
    assert command.ftm_schema == "Directorship"
    assert command.properties["role"] == ["command", "Overall commander"]
    assert command.properties["startDate"] == ["2021-01-01"]


def test_the_chain_of_command_shows_on_the_brigade_page(client, victor, imported_network):
    """The brigade's profile lists the general and the colonel above it; on 2023-06-01 only the general."""
    brigade = Actor.objects.get(ftm_id="brigade")
    client.force_login(victor)
    page = client.get(reverse("networks:actor_detail", args=[brigade.pk])).content.decode()
    above = page.split("Above (nearest first)")[1].split("Below")[0]
    assert "Col. Test" in above and "Gen. Test" in above
    later = client.get(reverse("networks:actor_detail", args=[brigade.pk]), {"on": "2023-06-01"}).content.decode()
    above_later = later.split("Above (nearest first)")[1].split("Below")[0]
    assert "Gen. Test" in above_later and "Col. Test" not in above_later


def test_shortest_path_between_two_actors_is_shown(client, victor, imported_network):
    """From the colonel to the militia the shortest chain runs through one intermediary."""
    colonel = Actor.objects.get(ftm_id="colonel")
    militia = Actor.objects.get(ftm_id="militia")
    client.force_login(victor)
    page = client.get(reverse("networks:actor_detail", args=[colonel.pk]), {"to": militia.pk}).content.decode()
    chain = page.split('class="nw-path"')[1].split("</ol>")[0]
    assert chain.count("<li>") == 3


def test_an_escalation_names_an_actor_and_the_case_shows_in_the_profile(client, alice, general, country_a):
    """Alice links the general to her desk's escalation; the profile lists the escalation."""
    escalation = EscalationFactory(country=country_a, created_by=alice, state="submitted")
    client.force_login(alice)
    response = client.post(
        reverse("networks:actor_link_escalation", args=[general.pk]),
        {"escalation-choice": escalation.pk, "escalation-note": "Commands the units involved"},
    )
    assert response.status_code == 302
    assert EscalationActor.objects.filter(escalation=escalation, actor=general).exists()
    profile = client.get(reverse("networks:actor_detail", args=[general.pk])).content.decode()
    assert f"#{escalation.pk} Alphaland" in profile


def test_the_focal_point_cannot_touch_the_actors_of_a_draft_it_may_not_read(client, alice, fiona, general, country_a):
    """A draft is the analysts' working note: removing one of its actors answers 404, as linking one does, and the
    link stays; the answer does not even say the draft exists."""
    draft = EscalationFactory(country=country_a, created_by=alice, state="draft")
    escalation_actor_link(user=alice, escalation=draft, actor=general)
    client.force_login(fiona)
    response = client.post(reverse("networks:escalation_actor_remove", args=[draft.pk, general.pk]))
    assert response.status_code == 404
    assert EscalationActor.objects.filter(escalation=draft, actor=general).exists()
    linking = client.post(reverse("networks:actor_link_escalation", args=[general.pk]), {"escalation-choice": draft.pk})
    assert linking.status_code == 404


def test_the_viewer_cannot_link_actors(victor, general, country_a, alice):
    """A viewer reads cases but does not name their actors."""
    escalation = EscalationFactory(country=country_a, created_by=alice, state="submitted")
    with pytest.raises(PermissionDenied):
        escalation_actor_link(user=victor, escalation=escalation, actor=general)


def test_a_targeted_sanctions_action_names_its_targets(alice, fiona, general, country_a):
    """The Focal Point names the general as a target; a diplomatic action cannot name targets."""
    escalation = EscalationFactory(country=country_a, created_by=alice, state="imminent_risk_declared")
    sanctions = ResponseAction.objects.create(
        escalation=escalation,
        country=country_a,
        tool=Tool.TARGETED_SANCTIONS,
        lead_department="hmt_ofsi",
        owner="Sanctions team",
        due_on="2027-01-31",
        created_by=fiona,
    )
    diplomacy = ResponseAction.objects.create(
        escalation=escalation,
        country=country_a,
        tool=Tool.DIPLOMATIC_ENGAGEMENT,
        lead_department="fcdo",
        owner="Desk",
        due_on="2027-01-31",
        created_by=fiona,
    )
    sanction_target_add(user=fiona, action=sanctions, actor=general)
    assert SanctionTarget.objects.filter(action=sanctions, actor=general).exists()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        sanction_target_add(user=fiona, action=diplomacy, actor=general)


def test_exports_download_the_country_network(client, victor, imported_network, country_a):
    """FtM JSON lines, nodes and edges CSV are downloads for every reader."""
    client.force_login(victor)
    ftm = client.get(reverse("networks:country_export", args=[country_a.iso3, "ftm"]))
    assert ftm.status_code == 200 and ftm["Content-Type"] == "application/x-ndjson"
    assert len(b"".join(ftm.streaming_content).splitlines()) == 13
    nodes = b"".join(client.get(reverse("networks:country_export", args=[country_a.iso3, "nodes"])).streaming_content)
    assert nodes.decode().splitlines()[0].startswith("id,ftm_id,name,kind")
    assert len(nodes.decode().splitlines()) == 6
    edges = b"".join(client.get(reverse("networks:country_export", args=[country_a.iso3, "edges"])).streaming_content)
    assert len(edges.decode().splitlines()) == 8


def test_the_upload_page_queues_an_ftm_file_and_reports_unsupported_schemata(
    client, alice, country_a, django_capture_on_commit_callbacks
):
    """Alice uploads a file with an Address; the import page lists it as not imported."""
    from tests.networks.conftest import upload
    from tests.networks.ftm_samples import actor, ftm_file

    client.force_login(alice)
    raw = ftm_file(actor("p1"), {"id": "addr", "schema": "Address", "properties": {"full": ["1 Test Street"]}})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("networks:import_upload"), {"file": upload(raw), "default_country": "QAA"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Succeeded" in page
    assert "Address: 1" in page
    assert Actor.objects.filter(ftm_id="p1").exists()


def test_a_viewer_cannot_open_the_upload_page(client, victor):
    """Imports are for analysts and administrators."""
    client.force_login(victor)
    assert client.get(reverse("networks:import_upload")).status_code == 403


def test_the_country_page_links_to_the_network_with_its_size_and_newest_changes(client, victor, imported_network):
    """The country page (through its panel slot) shows the network's size, newest changes and a link to it."""
    client.force_login(victor)
    page = client.get(reverse("indicators:country_detail", args=["QAA"])).content.decode()
    assert "5 actors and 7 relationships concern Alphaland" in page
    assert reverse("networks:country_network", args=["QAA"]) in page
    assert "Newest changes" in page


def test_the_escalation_page_lists_its_actors_and_sanctions_targets_with_network_position(
    client, alice, fiona, general, country_a
):
    """An escalation names the general; its targeted-sanctions action targets him, shown with his position."""
    escalation = EscalationFactory(country=country_a, created_by=alice, state="imminent_risk_declared")
    escalation_actor_link(user=alice, escalation=escalation, actor=general, note="Commander")
    action = ResponseAction.objects.create(
        escalation=escalation,
        country=country_a,
        tool=Tool.TARGETED_SANCTIONS,
        lead_department="hmt_ofsi",
        owner="Sanctions team",
        due_on="2027-01-31",
        created_by=fiona,
    )
    sanction_target_add(user=fiona, action=action, actor=general)
    client.force_login(fiona)
    client.get(reverse("networks:country_network", args=["QAA"]))  # runs the analysis for the position
    page = client.get(reverse("alerts:escalation_detail", args=[escalation.pk])).content.decode()
    panel = page.split("Actors this case concerns")[1]
    assert "Gen. Test" in panel and "Commander" in panel
    targets = panel.split("Targets of its targeted-sanctions actions")[1]
    assert "betweenness" in targets
    assert "Yes, by GBR" in targets


@pytest.mark.parametrize(("persona", "may_edit"), [("bob", True), ("alice", False), ("victor", False)])
def test_a_country_without_actors_says_so_instead_of_drawing_an_empty_graph(
    client, personas, persona, may_edit, imported_network, country_b
):
    """Country B has no actors: the page explains that, tells a desk analyst how to add some, and draws no graph,
    status line or ranked tables (which would say "no analysis yet" under a succeeded analysis)."""
    client.force_login(personas[persona])
    page = client.get(reverse("networks:country_network", args=[country_b.iso3])).content.decode()
    assert f"No actors recorded for {country_b.name}" in page
    assert 'id="network-graph"' not in page
    assert "cytoscape.min.js" not in page
    assert "Most central actors" not in page
    assert 'id="analysis-status"' not in page
    assert ("Add an actor" in page) is may_edit
    assert ("Add an actor with" in page) is may_edit
