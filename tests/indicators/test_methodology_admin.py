"""Administrators manage methodology versions in the admin without ever leaving the system with none active."""

import json

import pytest

from indicators.models import Methodology

pytestmark = pytest.mark.django_db


def form_data(methodology, **overrides):
    data = {
        "name": methodology.name,
        "description": methodology.description,
        "parameters": json.dumps(methodology.parameters),
        "is_active": "on" if methodology.is_active else "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def test_switching_off_the_only_active_methodology_is_refused_with_a_message(client, ada):
    active = Methodology.objects.get(is_active=True)
    client.force_login(ada)
    response = client.post(f"/admin/indicators/methodology/{active.pk}/change/", form_data(active, is_active=""))
    assert response.status_code == 200
    assert b"Exactly one version is active" in response.content
    assert Methodology.objects.filter(is_active=True).count() == 1


def test_publishing_an_active_new_version_switches_the_previous_one_off(client, ada):
    previous = Methodology.objects.get(is_active=True)
    client.force_login(ada)
    parameters = {**previous.parameters, "half_life_months": 6}
    response = client.post(
        "/admin/indicators/methodology/add/",
        {
            "name": "Faster decay",
            "description": "Half-life six months.",
            "parameters": json.dumps(parameters),
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    active = Methodology.objects.get(is_active=True)
    assert (active.version, active.parameters["half_life_months"]) == (previous.version + 1, 6)
    previous.refresh_from_db()
    assert previous.is_active is False


def test_a_methodology_with_bad_parameters_is_refused_on_the_form(client, ada):
    client.force_login(ada)
    response = client.post(
        "/admin/indicators/methodology/add/",
        {"name": "Broken", "description": "", "parameters": json.dumps({"half_life_months": -1}), "is_active": "on"},
    )
    assert response.status_code == 200
    assert Methodology.objects.count() == 3  # v1, v2 and v3, all published by migrations


def test_analysts_cannot_reach_the_methodology_admin(client, alice):
    client.force_login(alice)
    assert client.get("/admin/indicators/methodology/").status_code == 302
