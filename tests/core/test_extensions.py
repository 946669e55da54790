"""Extension slots: higher apps fill lower pages in a stated order, and a page shows only what is registered."""

import pytest

from core import extensions


def _panel(name: str, order: int) -> extensions.Panel:
    return extensions.Panel(name=name, template="x.html", context=lambda request, obj: {}, order=order)


def test_entries_come_out_by_order_then_registration_and_a_name_registers_once():
    slot = extensions.Slot("test", "A slot for this test.")
    slot.register(_panel("late", 50))
    slot.register(_panel("first", 10))
    slot.register(_panel("also_late", 50))
    slot.register(_panel("late", 50))  # registering again replaces, it does not duplicate
    assert [panel.name for panel in slot] == ["first", "late", "also_late"]


def test_a_panel_whose_context_is_none_is_not_shown():
    slot = extensions.Slot("test", "A slot for this test.")
    slot.register(extensions.Panel(name="hidden", template="x.html", context=lambda request, obj: None))
    slot.register(extensions.Panel(name="shown", template="y.html", context=lambda request, obj: {"n": obj}))
    assert extensions.panels_render_context(slot, None, 3) == [
        {"name": "shown", "template": "y.html", "context": {"n": 3}}
    ]


@pytest.mark.django_db
def test_the_methodology_page_lists_alert_rules_only_through_the_registered_panel(client, victor, monkeypatch):
    client.force_login(victor)
    assert "Alert rules in force" in client.get("/methodology/").content.decode()
    monkeypatch.setattr(extensions, "methodology_panels", extensions.Slot("methodology_panels", "Emptied."))
    assert "Alert rules in force" not in client.get("/methodology/").content.decode()


@pytest.mark.django_db
def test_the_country_page_shows_the_escalate_button_the_alerts_app_registers(client, alice, victor, country_a):
    client.force_login(alice)
    assert 'href="/countries/QAA/escalate/"' in client.get("/countries/QAA/").content.decode()
    client.force_login(victor)
    assert "/escalate/" not in client.get("/countries/QAA/").content.decode()
