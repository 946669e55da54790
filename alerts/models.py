"""Alert rules, alerts, escalations, notifications, trigger events, AIAs and response actions (audit: core)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import AppendOnlyModel, QueuedJobModel
from indicators.models import Country, ScoreRun


class RuleKind(models.TextChoices):
    BAND_REACHED = "band_reached", "Band reaches high or very high"
    SHARP_RISE = "sharp_rise", "Sharp rise in the overall score"
    SERIOUS_SPECIFIC_INDICATOR = "serious_specific_indicator", "Serious assessment of a specific-crime indicator"
    STALE_COVERAGE = "stale_coverage", "Coverage of a high-risk country going stale"
    TRIGGER_EVENT = "trigger_event", "Trigger event recorded"
    ONSET_FORECAST = "onset_forecast", "Onset forecast high or among the highest"


class AlertRule(models.Model):
    """One version of a published alert rule; a new version replaces the previous one of the same kind."""

    kind = models.CharField(max_length=40, choices=RuleKind.choices)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(help_text="Plain words for the methodology page: when does this rule fire?")
    parameters = models.JSONField(default=dict)
    is_active = models.BooleanField(default=True)
    published_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="unique_alert_rule_version"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(is_active=True), name="one_active_alert_rule_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class Alert(models.Model):
    """Raised automatically when a published rule fires for a country."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        DISMISSED = "dismissed", "Dismissed"
        ESCALATED = "escalated", "Escalated"
        RESOLVED = "resolved", "Resolved (condition cleared)"

    OPEN_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED)

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts")
    rule_kind = models.CharField(max_length=40, choices=RuleKind.choices)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="alerts")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    message = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=200, help_text="What the rule saw; the same finding never fires twice")
    details = models.JSONField(default=dict, blank=True)
    run = models.ForeignKey(ScoreRun, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts")
    raised_at = models.DateTimeField(default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    dismissal_reason = models.TextField(blank=True)
    resolved_by_run = models.ForeignKey(
        ScoreRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolved_alerts",
        help_text="The score run after which the rule no longer fired",
    )

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_kind", "country"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="one_open_alert_per_rule_and_country",
            )
        ]
        indexes = [models.Index(fields=["rule_kind", "country", "fingerprint"])]

    def __str__(self) -> str:
        return f"{self.get_rule_kind_display()}: {self.country.iso3} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Urgency(models.TextChoices):
    URGENT = "urgent", "Urgent"
    HIGH = "high", "High"
    ROUTINE = "routine", "Routine"


RESPONSE_TIME = {
    Urgency.URGENT: dt.timedelta(hours=24),
    Urgency.HIGH: dt.timedelta(hours=72),
    Urgency.ROUTINE: dt.timedelta(days=10),
}


class Tool(models.TextChoices):
    """The prevention toolkit: responses an analyst recommends and the Focal Point sets in motion."""

    TARGETED_SANCTIONS = "targeted_sanctions", "Targeted sanctions"
    ARMS_EMBARGO_SUPPORT = "arms_embargo_support", "Arms embargo support"
    AID_REVIEW = "aid_review", "Aid review or suspension"
    HUMANITARIAN_ASSISTANCE = "humanitarian_assistance", "Humanitarian assistance"
    ASYLUM_RESETTLEMENT = "asylum_resettlement", "Asylum and resettlement"
    DOCUMENTATION_ACCOUNTABILITY = "documentation_accountability", "Support to documentation and accountability"
    DIPLOMATIC_ENGAGEMENT = "diplomatic_engagement", "Diplomatic engagement"
    STRATEGIC_COMMUNICATIONS = "strategic_communications", "Strategic communications"
    PEACEKEEPING_SUPPORT = "peacekeeping_support", "Peacekeeping support"
    EXPORT_CONTROLS = "export_controls", "Export licence review"
    MULTILATERAL_ACTION = "multilateral_action", "Action at the UN Security Council or Human Rights Council"


class Department(models.TextChoices):
    FCDO = "fcdo", "FCDO"
    HOME_OFFICE = "home_office", "Home Office"
    MOD = "mod", "Ministry of Defence"
    HMT_OFSI = "hmt_ofsi", "HM Treasury / OFSI"
    DBT = "dbt", "Department for Business and Trade"
    CABINET_OFFICE = "cabinet_office", "Cabinet Office"
    MOJ = "moj", "Ministry of Justice"


class Escalation(models.Model):
    """An analyst's case to the R2P Focal Point; its state changes only through alerts.services."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        UNDER_REVIEW = "under_review", "Under review"
        MORE_INFORMATION_REQUESTED = "more_information_requested", "More information requested"
        RESUBMITTED = "resubmitted", "Resubmitted"
        IMMINENT_RISK_DECLARED = "imminent_risk_declared", "Imminent risk declared"
        MONITORING = "monitoring", "Monitoring"
        CLOSED = "closed", "Closed"

    AWAITING_FOCAL_POINT = (State.SUBMITTED, State.RESUBMITTED, State.UNDER_REVIEW)

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="escalations")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="escalations")
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, null=True, blank=True, related_name="escalations")
    state = models.CharField(max_length=32, choices=State.choices, default=State.DRAFT)
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE)
    summary = models.TextField()
    risk_assessment = models.TextField()
    evidence_links = models.JSONField(default=list, blank=True)
    recommended_responses = models.JSONField(default=list, blank=True)
    scores_snapshot = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="First submission")
    awaiting_since = models.DateTimeField(null=True, blank=True, help_text="Latest submission or resubmission")
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="claimed_escalations"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_rationale = models.TextField(blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "urgency"])]

    def __str__(self) -> str:
        return f"Escalation {self.pk}: {self.country.name} ({self.get_state_display()})"

    @property
    def response_due_at(self) -> dt.datetime | None:
        if self.state not in self.AWAITING_FOCAL_POINT or self.awaiting_since is None:
            return None
        return self.awaiting_since + RESPONSE_TIME[Urgency(self.urgency)]

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        due = self.response_due_at
        return due is not None and (now or timezone.now()) > due

    @property
    def recommended_response_labels(self) -> list[str]:
        return [Tool(code).label for code in self.recommended_responses if code in Tool.values]


class Notification(QueuedJobModel):
    """One notification sent to one person: about what, when and by which channel."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        IN_APP = "in_app", "In the app"

    class Topic(models.TextChoices):
        SUBMITTED = "submitted", "Escalation submitted"
        RESUBMITTED = "resubmitted", "Escalation resubmitted"
        DECISION = "decision", "Decision on an escalation"
        REMINDER = "reminder", "Response overdue"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="notifications")
    topic = models.CharField(max_length=16, choices=Topic.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=254, blank=True, help_text="Email address used, for email")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html_body = models.TextField(blank=True, help_text="HTML alternative of an email, rendered with the text")
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker took the email to send it; sent_at confirms it went out"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "channel", "read_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient}: {self.subject}"


class ResponseAction(models.Model):
    """A tool from the prevention toolkit set in motion by a declaration of imminent risk."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)
    # Done and cancelled are final: the tracker's history must not be rewritten by a later click.
    NEXT_STATUSES = {
        Status.PLANNED: (Status.IN_PROGRESS, Status.DONE, Status.CANCELLED),
        Status.IN_PROGRESS: (Status.DONE, Status.CANCELLED),
        Status.DONE: (),
        Status.CANCELLED: (),
    }

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="actions")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="response_actions")
    tool = models.CharField(max_length=40, choices=Tool.choices)
    lead_department = models.CharField(max_length=20, choices=Department.choices)
    owner = models.CharField(max_length=200, help_text="Named official or team in the lead department")
    owner_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_response_actions",
        help_text="The owner's account, which may update the action's status",
    )
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    status_note = models.TextField(blank=True, help_text="The note given with the latest status change")
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["lead_department", "due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_tool_display()} ({self.get_lead_department_display()}, {self.country.iso3})"

    @property
    def is_overdue(self) -> bool:
        return self.status in self.OPEN_STATUSES and self.due_on < timezone.localdate()


class TriggerEvent(AppendOnlyModel):
    """A finding by a court, a commission of inquiry or the UN Special Advisers; opens an AIA."""

    class Kind(models.TextChoices):
        COURT_FINDING = "court_finding", "Finding by the ICJ or another court"
        COMMISSION_OF_INQUIRY = "commission_of_inquiry", "Commission of inquiry or fact-finding mission"
        UN_SPECIAL_ADVISERS = "un_special_advisers", "Notification by the UN Special Advisers"

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="trigger_events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=300)
    occurred_on = models.DateField()
    source_url = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title} ({self.country.iso3})"


AIA_AREAS = (
    ("leverage_over_perpetrators", "Leverage over likely perpetrators"),
    ("logistics_disruption", "Ability to disrupt the logistics of atrocity"),
    ("protection_of_groups", "Protection of groups at risk"),
    ("military_capabilities", "Military capabilities"),
    ("diplomatic_windows", "Diplomatic windows"),
    ("legal_avenues", "Legal avenues"),
    ("information_space", "The information space"),
    ("sgbv_risk", "Risk of sexual and gender-based violence"),
)


class AtrocityImpactAssessment(models.Model):
    """A structured review of the government's leverage and exposure in a country after a trigger event."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETED = "completed", "Completed"

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="impact_assessments")
    trigger_event = models.OneToOneField(TriggerEvent, on_delete=models.PROTECT, related_name="impact_assessment")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="impact_assessments")
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    leverage_over_perpetrators = models.TextField(blank=True)
    logistics_disruption = models.TextField(blank=True)
    protection_of_groups = models.TextField(blank=True)
    military_capabilities = models.TextField(blank=True)
    diplomatic_windows = models.TextField(blank=True)
    legal_avenues = models.TextField(blank=True)
    information_space = models.TextField(blank=True)
    sgbv_risk = models.TextField(blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["status", "due_on"]
        verbose_name = "Atrocity Impact Assessment"

    def __str__(self) -> str:
        return f"AIA {self.pk}: {self.country.name} ({self.get_status_display()})"

    @property
    def areas(self) -> list[tuple[str, str, str]]:
        return [(field, label, getattr(self, field)) for field, label in AIA_AREAS]

    @property
    def missing_areas(self) -> list[str]:
        return [label for field, label in AIA_AREAS if not getattr(self, field).strip()]

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()
