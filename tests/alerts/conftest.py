import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Escalation
from tests.alerts.factories import EscalationFactory

State = Escalation.State
CLAIMED_STATES = {
    State.UNDER_REVIEW,
    State.MORE_INFORMATION_REQUESTED,
    State.IMMINENT_RISK_DECLARED,
    State.MONITORING,
    State.CLOSED,
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The personas' passwords are hashed once each; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_escalation(country_a, alice, fiona):
    """Build an escalation for Alphaland by alice in any state, claimed by fiona once it has been reviewed."""

    def make(state=State.DRAFT, **kwargs):
        kwargs.setdefault("claimed_by", fiona if state in CLAIMED_STATES else None)
        if state in (State.IMMINENT_RISK_DECLARED, State.MONITORING, State.CLOSED):
            kwargs.setdefault("decided_at", timezone.now())
            kwargs.setdefault("decision_rationale", "Earlier decision.")
        return EscalationFactory(country=country_a, created_by=alice, state=state, **kwargs)

    return make


@pytest.fixture
def valid_action():
    return {
        "tool": "targeted_sanctions",
        "lead_department": "hmt_ofsi",
        "owner": "Sanctions unit",
        "due_on": timezone.localdate() + dt.timedelta(days=14),
    }
