"""Actors and relationships stored so they round-trip with FollowTheMoney, their append-only history, the links
from escalations and response actions to actors, and the recorded runs of the network analysis.

Each actor and relationship is a head row (the latest state, what pages and the graph read) and a version per edit
(append-only, never rewritten). The head changes only through networks.services, which appends the version first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from alerts.models import Escalation, ResponseAction
from core.models import AppendOnlyModel, QueuedJobModel
from indicators.models import Confidence, Country, DatasetImport


class ActorKind(models.TextChoices):
    PERSON = "person", "Person"
    ARMED_GROUP = "armed_group", "Armed group"
    SECURITY_UNIT = "security_unit", "Security-force unit"
    MINISTRY = "ministry", "Ministry or public body"
    ORGANIZATION = "organization", "Other organisation"
    COMPANY = "company", "Company"
    VESSEL = "vessel", "Vessel"
    AIRPLANE = "airplane", "Aircraft"


class RelationshipKind(models.TextChoices):
    COMMAND = "command", "Command"
    MEMBERSHIP = "membership", "Membership"
    DIRECTORSHIP = "directorship", "Directorship"
    EMPLOYMENT = "employment", "Employment"
    OWNERSHIP = "ownership", "Ownership"
    PAYMENT = "payment", "Payment"
    SUPPLY = "supply", "Supply or contract"
    FAMILY = "family", "Family"
    ASSOCIATE = "associate", "Associate"
    UNKNOWN_LINK = "unknown_link", "Other link"
    SANCTION = "sanction", "Sanction designation"


class ProvenanceFields(models.Model):
    """What every actor and relationship carries, in the head and in each version."""

    ftm_schema = models.CharField(max_length=40, help_text="FollowTheMoney schema, e.g. Person, Membership")
    properties = models.JSONField(default=dict, blank=True, help_text="FollowTheMoney properties, cleaned")
    sources = models.JSONField(default=list, blank=True, help_text="Where the information comes from")
    confidence = models.CharField(max_length=8, choices=Confidence.choices, default=Confidence.MEDIUM)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    withdrawn = models.BooleanField(default=False, help_text="Withdrawn records stay in history but leave the graph")

    class Meta:
        abstract = True


class Actor(ProvenanceFields):
    """A person, organisation, company or asset; the latest version of its history."""

    ftm_id = models.CharField(max_length=200, unique=True, help_text="The FollowTheMoney entity id")
    kind = models.CharField(max_length=20, choices=ActorKind.choices)
    name = models.CharField(max_length=300)
    countries = models.ManyToManyField(Country, related_name="network_actors", blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["-updated_at"])]

    def __str__(self) -> str:
        return self.name


def version_constraints(head: str) -> list:
    """One version number per record, and every version has an author or an import."""
    return [
        models.UniqueConstraint(fields=[head, "version"], name=f"unique_{head}_version"),
        models.CheckConstraint(
            condition=Q(author__isnull=False) | Q(dataset_import__isnull=False),
            name=f"{head}_version_has_author_or_import",
        ),
    ]


class VersionFields(ProvenanceFields, AppendOnlyModel):
    """What every version of an actor or relationship records besides its state: its number, who or which import
    recorded it (the subclasses name the import link), why and when."""

    version = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class ActorVersion(VersionFields):
    """One state of an actor as recorded by an analyst or an import; corrections are new versions."""

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="versions")
    kind = models.CharField(max_length=20, choices=ActorKind.choices)
    name = models.CharField(max_length=300)
    country_codes = models.JSONField(default=list, help_text="ISO-3 codes of the countries it concerns")
    note = models.TextField(blank=True, help_text="Why this version was recorded")
    dataset_import = models.ForeignKey(
        DatasetImport, on_delete=models.PROTECT, null=True, blank=True, related_name="actor_versions"
    )

    class Meta:
        ordering = ["actor", "-version"]
        constraints = version_constraints("actor")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Relationship(ProvenanceFields):
    """A tie between two actors, or a sanction designation of one actor (no target); the latest version."""

    ftm_id = models.CharField(max_length=200, unique=True, help_text="The FollowTheMoney entity id")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    source = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="relationships_out")
    target = models.ForeignKey(Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="relationships_in")
    label = models.CharField(max_length=300, blank=True, help_text="Role, programme or purpose, for display")
    countries = models.ManyToManyField(Country, related_name="network_relationships", blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "pk"]
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["-updated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="sanction", target__isnull=True) | (~Q(kind="sanction") & Q(target__isnull=False)),
                name="relationship_target_unless_sanction",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.source_id} -> {self.target_id}"


class RelationshipVersion(VersionFields):
    """One state of a relationship as recorded by an analyst or an import; corrections are new versions."""

    relationship = models.ForeignKey(Relationship, on_delete=models.PROTECT, related_name="versions")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    source = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    label = models.CharField(max_length=300, blank=True)
    country_codes = models.JSONField(default=list)
    note = models.TextField(blank=True)
    dataset_import = models.ForeignKey(
        DatasetImport, on_delete=models.PROTECT, null=True, blank=True, related_name="relationship_versions"
    )

    class Meta:
        ordering = ["relationship", "-version"]
        constraints = version_constraints("relationship")

    def __str__(self) -> str:
        return f"{self.relationship_id} v{self.version}"


class ActorLinkFields(models.Model):
    """Who named an actor in a piece of the workflow, when, and why."""

    note = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class EscalationActor(ActorLinkFields):
    """An actor an escalation concerns (alerts never imports networks: this app owns the link)."""

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="escalation_links")

    class Meta:
        ordering = ["escalation", "actor__name"]
        constraints = [models.UniqueConstraint(fields=["escalation", "actor"], name="unique_escalation_actor")]

    def __str__(self) -> str:
        return f"Escalation {self.escalation_id} names actor {self.actor_id}"


class SanctionTarget(ActorLinkFields):
    """An actor a targeted-sanctions response action names as its target."""

    action = models.ForeignKey(ResponseAction, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="sanction_targets")

    class Meta:
        ordering = ["action", "actor__name"]
        constraints = [models.UniqueConstraint(fields=["action", "actor"], name="unique_sanction_target")]

    def __str__(self) -> str:
        return f"Action {self.action_id} targets actor {self.actor_id}"


class AnalysisRun(QueuedJobModel):
    """One computation of centrality, brokers, communities and exposure for a country's graph (or the whole graph),
    valid while the graph version it names is the current one."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    country = models.ForeignKey(Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    graph_version = models.CharField(max_length=60, help_text="Latest actor and relationship version ids")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    actors_count = models.PositiveIntegerField(default=0)
    relationships_count = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["country", "graph_version", "status"])]

    def __str__(self) -> str:
        scope = self.country.iso3 if self.country_id else "all"
        return f"Analysis {self.pk} ({scope}, {self.status})"
