"""The admin follows the pages' rule for drafts: another user's draft escalation and its audit entries are neither
listed nor opened there (issue 13, defect 5)."""

import pytest
from django.urls import reverse

from alerts.models import Escalation
from core.models import AuditEvent
from core.services import audit_record

pytestmark = pytest.mark.django_db
State = Escalation.State


@pytest.fixture
def alices_draft(make_escalation, alice, country_a):
    draft = make_escalation(State.DRAFT, summary="Private working note about Alphaland")
    audit_record(
        kind=AuditEvent.Kind.ESCALATION_CREATED,
        summary="Draft escalation started",
        actor=alice,
        country=country_a,
        escalation=draft,
    )
    return draft


@pytest.fixture
def submitted_case(make_escalation):
    return make_escalation(State.SUBMITTED)


def test_the_admin_escalation_list_hides_another_users_draft(client, ada, alices_draft, submitted_case):
    """The administrator's list shows the submitted case and not alice's draft."""
    client.force_login(ada)
    response = client.get(reverse("admin:alerts_escalation_changelist"))
    shown = {escalation.pk for escalation in response.context["cl"].result_list}
    assert submitted_case.pk in shown
    assert alices_draft.pk not in shown


def test_the_admin_refuses_to_open_another_users_draft(client, ada, alices_draft):
    """Opening the draft by its admin URL finds nothing, as /escalations/<id>/ answers 404."""
    client.force_login(ada)
    response = client.get(reverse("admin:alerts_escalation_change", args=[alices_draft.pk]))
    assert response.status_code == 302
    assert client.get(reverse("alerts:escalation_detail", args=[alices_draft.pk])).status_code == 404


def test_the_admin_audit_list_hides_the_entries_of_another_users_draft(client, ada, alices_draft, submitted_case):
    """Audit entries of the draft are left out; entries of readable cases and of no case stay."""
    audit_record(kind=AuditEvent.Kind.TRANSITION, summary="Submitted", escalation=submitted_case)
    client.force_login(ada)
    response = client.get(reverse("admin:core_auditevent_changelist"))
    listed = list(response.context["cl"].result_list)
    assert all(event.escalation_id != alices_draft.pk for event in listed)
    assert any(event.escalation_id == submitted_case.pk for event in listed)
    private = AuditEvent.objects.get(escalation=alices_draft)
    assert client.get(reverse("admin:core_auditevent_change", args=[private.pk])).status_code == 302
