"""Forms for alerts, escalations, decisions, response actions, trigger events and impact assessments.

The services validate again; forms only turn posted text into typed values and show errors beside fields.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from alerts.models import AIA_AREAS, Department, ResponseAction, RuleKind, Tool, TriggerEvent, Urgency
from alerts.services import DECISIONS
from alerts.triage import AGE_CHOICES, SEVERITY_CHOICES, SORT_CHOICES
from core.roles import ROLE_LABELS, Role
from indicators.forms import IsoDateInput


def accounts_with_a_role():
    """Active users holding any role, with their roles and desks: the people a response action can be assigned to."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[role.value for role in Role])
        .distinct()
        .prefetch_related("groups", "desks")
        .order_by("first_name", "username")
    )


def _person_label(user) -> str:
    return user.get_full_name() or user.username


def _owner_label(user) -> str:
    """Name, role and desk or department, so the Focal Point picks the right person: "Amina Osei · Analyst ·
    Sub-Saharan Africa desk"."""
    known = {role.value for role in Role}
    roles = sorted(ROLE_LABELS[Role(group.name)] for group in user.groups.all() if group.name in known)
    desks = sorted(desk.name for desk in user.desks.all())
    return " · ".join([_person_label(user), ", ".join(roles), *([", ".join(desks)] if desks else [])])


DECISION_LABELS = {
    "request_information": "Request more information",
    "declare_imminent_risk": "Declare imminent risk",
    "monitor": "Monitor",
    "close": "Close",
}


class EscalationForm(forms.Form):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Two or three sentences the Focal Point reads first."
    )
    risk_assessment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        label="Risk assessment",
        help_text="What is happening, which risk factors it bears on, and why it points to atrocity risk.",
    )
    evidence_links = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Evidence links",
        help_text="One web address per line.",
    )
    recommended_responses = forms.MultipleChoiceField(
        choices=Tool.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Recommended responses",
    )
    urgency = forms.ChoiceField(
        choices=[
            (Urgency.URGENT, "Urgent: response within 24 hours"),
            (Urgency.HIGH, "High: response within 72 hours"),
            (Urgency.ROUTINE, "Routine: response within 10 days"),
        ],
        widget=forms.RadioSelect,
        initial=Urgency.ROUTINE,
    )

    def clean_evidence_links(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["evidence_links"].splitlines() if line.strip()]

    @classmethod
    def initial_from(cls, escalation) -> dict:
        return {
            "summary": escalation.summary,
            "risk_assessment": escalation.risk_assessment,
            "evidence_links": "\n".join(escalation.evidence_links),
            "recommended_responses": escalation.recommended_responses,
            "urgency": escalation.urgency,
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(action, DECISION_LABELS[action]) for action in DECISIONS], widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Kept with the case and shown to the analysts; required for every decision.",
    )

    def __init__(self, *args, allowed: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["decision"].choices = [(a, DECISION_LABELS[a]) for a in DECISIONS if a in allowed]


class ResponseActionForm(forms.Form):
    tool = forms.ChoiceField(choices=[("", "Choose a tool")] + Tool.choices)
    lead_department = forms.ChoiceField(choices=[("", "Choose a department")] + Department.choices, label="Lead")
    owner = forms.CharField(max_length=200, help_text="Named official or team")
    owner_account = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Owner's account",
        help_text="This person may update the action's status on the tracker",
    )
    due_on = forms.DateField(widget=IsoDateInput(), label="Due on")

    def __init__(self, *args, owner_accounts: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The formset hands every row the same list, so a page with many rows still reads the users once.
        accounts = list(accounts_with_a_role()) if owner_accounts is None else owner_accounts
        self._accounts = {user.pk: user for user in accounts}
        self.fields["owner_account"].choices = [("", "None: the Focal Point tracks it")] + [
            (user.pk, _owner_label(user)) for user in accounts
        ]

    def clean_owner_account(self):
        pk = self.cleaned_data["owner_account"]
        return None if pk is None else self._accounts[pk]

    def clean_due_on(self) -> dt.date:
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError("The due date is in the past.")
        return due_on


ResponseActionFormSet = forms.formset_factory(ResponseActionForm, extra=1, max_num=20, validate_max=True)


def response_action_formset(data=None) -> forms.BaseFormSet:
    """The decision form's action rows, sharing one read of the people an action can be assigned to."""
    return ResponseActionFormSet(data, prefix="actions", form_kwargs={"owner_accounts": list(accounts_with_a_role())})


class ResubmitForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What you added or changed",
        help_text="The Focal Point reads this with the updated case.",
    )


class AlertTriageForm(forms.Form):
    """The alerts page's filters (GET): desk, rule, country, severity, age; order and grouping."""

    desk = forms.ChoiceField(required=False, label="Desk")
    rule = forms.ChoiceField(required=False, label="Rule", choices=[("", "All rules"), *RuleKind.choices])
    country = forms.ChoiceField(required=False, label="Country")
    severity = forms.ChoiceField(required=False, label="Severity", choices=[("", "Any severity"), *SEVERITY_CHOICES])
    age = forms.ChoiceField(required=False, label="Raised", choices=[("", "Any time"), *AGE_CHOICES])
    sort = forms.ChoiceField(required=False, label="Order", choices=SORT_CHOICES)
    group = forms.BooleanField(required=False, label="Group by country")

    def __init__(self, *args, desks, countries, has_desk: bool, **kwargs):
        super().__init__(*args, **kwargs)
        mine = [("mine", "My desks")] if has_desk else []
        self.fields["desk"].choices = [("", "All desks"), *mine, *((desk.slug, desk.name) for desk in desks)]
        self.fields["country"].choices = [("", "All countries"), *((c.iso3, c.name) for c in countries)]
        self.fields["country"].widget.attrs["data-country-picker"] = ""
        self.fields["country"].widget.attrs["data-placeholder"] = "All countries"


class BulkAcknowledgeForm(forms.Form):
    alerts = forms.TypedMultipleChoiceField(coerce=int, choices=(), error_messages={"required": "Tick the alerts."})
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why acknowledge them?",
        error_messages={"required": "Say why these alerts are acknowledged."},
    )

    def __init__(self, *args, alert_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alerts"].choices = [(pk, pk) for pk in alert_ids]


class DismissForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why dismiss this alert?")


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ResponseAction.Status.choices)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Note", help_text="What changed; kept with the action."
    )


class TriggerEventForm(forms.Form):
    kind = forms.ChoiceField(choices=TriggerEvent.Kind.choices, label="What happened")
    title = forms.CharField(max_length=300, help_text="e.g. ICJ order on provisional measures, 26 January")
    occurred_on = forms.DateField(widget=IsoDateInput(), label="Date of the finding")
    source_url = forms.URLField(required=False, max_length=500, label="Source link", assume_scheme="https")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    owner = forms.ModelChoiceField(queryset=None, label="AIA owner", empty_label="Choose an owner")
    due_on = forms.DateField(widget=IsoDateInput(), label="AIA due on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=[Role.ANALYST.value, Role.FOCAL_POINT.value])
            .distinct()
            .order_by("first_name", "username")
        )
        self.fields["owner"].label_from_instance = _person_label
        self.fields["occurred_on"].initial = timezone.localdate
        self.fields["due_on"].initial = lambda: timezone.localdate() + dt.timedelta(days=14)

    # The service refuses these dates too; checking them here shows them with every other error on the first
    # submit, instead of only once the rest of the form is right.
    def clean_occurred_on(self) -> dt.date:
        value = self.cleaned_data["occurred_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(f"The date {value:%d %B %Y} is in the future.")
        return value

    def clean_due_on(self) -> dt.date:
        value = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(f"The due date {value:%d %B %Y} is in the past.")
        return value


# What each area of an Atrocity Impact Assessment asks, shown under its box so the owner knows what to write.
AIA_GUIDANCE = {
    "leverage_over_perpetrators": "Who are the likely perpetrators, and what do we give them, buy from them or hold "
    "over them (aid, trade, finance, visas, security cooperation)? Which of these could be withheld or conditioned?",
    "logistics_disruption": "What do the perpetrators need to act (arms, fuel, money, transport, communications), who "
    "supplies it, and which of those flows pass through our jurisdiction, companies or partners?",
    "protection_of_groups": "Which groups are at risk and where? What protection, evacuation, asylum or humanitarian "
    "access can we support, alone or with partners?",
    "military_capabilities": "What military or security cooperation do we have with the country or its neighbours, "
    "and what could it contribute to protection or deterrence (or risk contributing to the atrocity)?",
    "diplomatic_windows": "Which meetings, visits, votes or negotiations in the coming weeks give a chance to act, "
    "and who in our government attends them?",
    "legal_avenues": "Which courts, mechanisms or sanctions regimes apply (ICJ, ICC, UN or national sanctions, "
    "universal jurisdiction)? What evidence could we help preserve?",
    "information_space": "Is hate speech or disinformation preparing or excusing violence? Which platforms and media "
    "carry it, and what can we do about it with partners?",
    "sgbv_risk": "Are there signs of sexual and gender-based violence being used or planned? Which survivors' "
    "services, documentation or accountability efforts could we support?",
}


class ImpactAssessmentForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, label in AIA_AREAS:
            self.fields[field] = forms.CharField(
                label=label,
                required=False,
                help_text=AIA_GUIDANCE.get(field, ""),
                widget=forms.Textarea(attrs={"rows": 4}),
            )
