"""Reads for alerts, escalations, actions, AIAs and the audit timeline; pages and other apps share them."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from alerts.models import (
    Alert,
    AlertRule,
    AtrocityImpactAssessment,
    Department,
    Escalation,
    Notification,
    ResponseAction,
    Urgency,
)
from core.models import AuditEvent
from core.roles import Role, has_role, user_desk_ids, user_roles
from core.user_cache import user_value
from indicators.models import Country, CountryScore, Methodology, RiskFactorScore

# The per-user cache scope of unread counts (core.user_cache): replaced whenever a notification is recorded or read.
NOTIFICATIONS = "notifications"


def alert_rules_published() -> QuerySet[AlertRule]:
    """The alert rules in force, for the methodology page."""
    return AlertRule.objects.filter(is_active=True).order_by("kind")


def countries_of_desks(user) -> QuerySet[Country]:
    """Countries owned by the desks the user belongs to."""
    return Country.objects.filter(desk_id__in=user_desk_ids(user)).order_by("name")


def focal_points() -> QuerySet:
    return get_user_model().objects.filter(groups__name=Role.FOCAL_POINT.value, is_active=True).distinct()


def _urgency_rank():
    return Case(
        When(urgency=Urgency.URGENT, then=Value(0)),
        When(urgency=Urgency.HIGH, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def escalations_visible_to(user) -> QuerySet[Escalation]:
    """The escalations the user may read: core.roles.can_view_escalation as a query (see its docstring).

    Drafts only for their author and the analysts of the country's desk; submitted cases for focal points, viewers
    and administrators, and for analysts when the case is their desk's or their own.
    """
    queryset = Escalation.objects.select_related("country", "country__desk", "created_by", "claimed_by")
    if not user_roles(user):
        return queryset.none()
    mine = Q(created_by_id=user.pk)
    desk = Q(country__desk_id__in=user_desk_ids(user)) if has_role(user, Role.ANALYST) else Q(pk__in=[])
    if has_role(user, Role.FOCAL_POINT, Role.VIEWER, Role.ADMINISTRATOR):
        return queryset.filter(~Q(state=Escalation.State.DRAFT) | mine | desk)
    if has_role(user, Role.ANALYST):
        return queryset.filter(mine | desk)
    return queryset.none()


def escalation_decided_by(timeline: Iterable[AuditEvent]):
    """Who made the case's latest decision, from its loaded timeline (claimed_by is cleared on resubmission)."""
    decisions = [event for event in timeline if event.kind == AuditEvent.Kind.DECISION]
    return decisions[-1].actor if decisions else None


def escalation_ids_readable(user, escalation_ids: Iterable[int]) -> set[int]:
    """Which of these escalations the user may open, in one query."""
    return set(escalations_visible_to(user).filter(pk__in=list(escalation_ids)).values_list("pk", flat=True))


def escalation_queue(user) -> QuerySet[Escalation]:
    """Cases waiting for the Focal Point, most urgent first, then oldest first."""
    return (
        escalations_visible_to(user)
        .filter(state__in=Escalation.AWAITING_FOCAL_POINT)
        .annotate(urgency_rank=_urgency_rank())
        .order_by("urgency_rank", "awaiting_since", "pk")
    )


def escalations_other(user) -> QuerySet[Escalation]:
    """Drafts, cases returned to the analyst and decided cases, newest first (others' drafts are not visible)."""
    return escalations_visible_to(user).exclude(state__in=Escalation.AWAITING_FOCAL_POINT).order_by("-created_at")


def escalation_get(*, pk: int) -> Escalation:
    return Escalation.objects.select_related("country", "country__desk", "created_by", "claimed_by", "alert").get(pk=pk)


def escalation_timeline(escalation: Escalation) -> QuerySet[AuditEvent]:
    return escalation.audit_events.select_related("actor").order_by("occurred_at", "pk")


def timeline_visibility(viewer, country: Country) -> Q:
    """On core.AuditEvent: the entries this viewer may read, i.e. no escalation, or one they may open."""
    visible = escalations_visible_to(viewer).filter(country=country).values("pk")
    return Q(escalation__isnull=True) | Q(escalation__in=visible)


def timeline_for_country(country: Country, *, viewer=None, limit: int | None = 100) -> QuerySet[AuditEvent]:
    """The country's audit trail, newest first; a viewer sees escalation entries only of cases they may read."""
    queryset = (
        AuditEvent.objects.filter(country=country)
        .select_related("actor", "escalation", "alert")
        .order_by("-occurred_at", "-pk")
    )
    if viewer is not None:
        queryset = queryset.filter(timeline_visibility(viewer, country))
    return queryset[:limit] if limit else queryset


def open_counts_by_country(country_ids) -> dict[int, dict[str, int]]:
    """Open alerts and open escalations per country id, two queries for all countries. An escalation is open from
    submission until it is closed: a declared imminent risk or a case under monitoring still needs attention, and
    a draft is its author's alone."""
    not_open = (Escalation.State.DRAFT, Escalation.State.CLOSED)
    in_progress = [state for state in Escalation.State if state not in not_open]
    alerts = dict(
        Alert.objects.filter(status__in=Alert.OPEN_STATUSES)
        .values_list("country_id")
        .annotate(n=Count("id"))
        .values_list("country_id", "n")
    )
    escalations = dict(
        Escalation.objects.filter(state__in=in_progress)
        .values_list("country_id")
        .annotate(n=Count("id"))
        .values_list("country_id", "n")
    )
    return {
        country_id: {"open_alerts": alerts.get(country_id, 0), "open_escalations": escalations.get(country_id, 0)}
        for country_id in {*alerts, *escalations}
    }


def alerts_open() -> QuerySet[Alert]:
    return (
        Alert.objects.filter(status__in=Alert.OPEN_STATUSES)
        .select_related("country", "country__desk", "rule", "handled_by")
        .order_by("-raised_at")
    )


def alerts_recently_handled(*, limit: int = 50) -> QuerySet[Alert]:
    return (
        Alert.objects.exclude(status__in=Alert.OPEN_STATUSES)
        .select_related("country", "rule", "handled_by")
        .order_by("-handled_at")[:limit]
    )


def alert_get(*, pk: int) -> Alert:
    return Alert.objects.select_related("country", "country__desk", "rule").get(pk=pk)


def response_actions_open_by_department() -> list[tuple[str, list[ResponseAction]]]:
    """Open actions grouped by lead department, in the department list's order; empty departments left out."""
    actions = (
        ResponseAction.objects.filter(status__in=ResponseAction.OPEN_STATUSES)
        .select_related("country", "owner_account", "status_changed_by")
        .order_by("due_on", "pk")
    )
    grouped: dict[str, list[ResponseAction]] = {}
    for action in actions:
        grouped.setdefault(action.lead_department, []).append(action)
    return [(label, grouped[value]) for value, label in Department.choices if value in grouped]


def response_actions_closed(*, limit: int = 50) -> QuerySet[ResponseAction]:
    return (
        ResponseAction.objects.exclude(status__in=ResponseAction.OPEN_STATUSES)
        .select_related("country", "owner_account", "status_changed_by")
        .order_by("-updated_at")[:limit]
    )


def impact_assessments_list() -> QuerySet[AtrocityImpactAssessment]:
    return AtrocityImpactAssessment.objects.select_related("country", "owner", "trigger_event").order_by(
        "status", "due_on", "pk"
    )


def impact_assessment_get(*, pk: int) -> AtrocityImpactAssessment:
    return AtrocityImpactAssessment.objects.select_related("country", "country__desk", "owner", "trigger_event").get(
        pk=pk
    )


def notifications_in_app(user) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first (e-mail copies are the same messages, so not listed twice)."""
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP).order_by(
        "-created_at", "-pk"
    )


def notifications_unread_count(user) -> int:
    """How many of the user's in-app notifications are unread: the header's badge on every page, kept per user in
    the shared cache (core.user_cache) until a notification is recorded or read (alerts.receivers, services)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return user_value(
        NOTIFICATIONS, "unread", user.pk, lambda: notifications_in_app(user).filter(read_at__isnull=True).count()
    )


def notifications_for_centre(user, *, limit: int = 100) -> list[Notification]:
    """The notification centre's list: the user's latest in-app notifications with their case and alert."""
    return list(
        notifications_in_app(user).select_related("escalation", "escalation__country", "escalation__alert")[:limit]
    )


def since_visit_scope(user) -> Q | None:
    """Countries whose news the overview's "since your last visit" shows: every country for focal points, viewers
    and administrators; the desks' countries for an analyst (as a Q on `country`); None for nobody."""
    if has_role(user, Role.FOCAL_POINT, Role.VIEWER, Role.ADMINISTRATOR):
        return Q()
    desks = user_desk_ids(user)
    return Q(country__desk_id__in=list(desks)) if desks else None


def since_visit_news(user, *, since, limit: int = 8) -> dict | None:
    """New alerts, decisions and declarations of imminent risk since `since` in the user's scope, newest first."""
    scope = since_visit_scope(user)
    if scope is None:
        return None
    alerts = list(
        Alert.objects.filter(scope, raised_at__gt=since).select_related("country").order_by("-raised_at")[:limit]
    )
    decided = list(
        escalations_visible_to(user)
        .filter(scope, decided_at__gt=since)
        .exclude(state__in=(Escalation.State.DRAFT, *Escalation.AWAITING_FOCAL_POINT))
        .order_by("-decided_at", "-pk")[: limit * 2]
    )
    declared = [e for e in decided if e.state == Escalation.State.IMMINENT_RISK_DECLARED]
    others = [e for e in decided if e.state != Escalation.State.IMMINENT_RISK_DECLARED]
    return {"alerts": alerts, "declarations": declared[:limit], "decisions": others[:limit]}


def notifications_unread(user, *, limit: int = 20) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP, read_at__isnull=True)
        .select_related("escalation", "escalation__country")
        .order_by("-created_at")[:limit]
    )


def country_scores_snapshot(country: Country) -> dict | None:
    """The country's latest scores under the active methodology, as plain data kept with a submission."""
    methodology = Methodology.objects.filter(is_active=True).first()
    if methodology is None:
        return None
    score = CountryScore.objects.filter(country=country, methodology=methodology).order_by("-month").first()
    if score is None:
        return None
    factors = (
        RiskFactorScore.objects.filter(country=country, methodology=methodology, month=score.month)
        .select_related("risk_factor")
        .order_by("risk_factor__number")
    )
    return {
        "methodology_version": methodology.version,
        "month": score.month.isoformat(),
        "overall": score.overall,
        "band": score.band,
        "band_label": score.get_band_display() if score.band else "",
        "common": score.common,
        "genocide": score.genocide,
        "crimes_against_humanity": score.crimes_against_humanity,
        "war_crimes": score.war_crimes,
        "coverage": score.coverage,
        "change_3m": score.change_3m,
        "change_12m": score.change_12m,
        "factors": [
            {
                "number": factor.risk_factor.number,
                "name": factor.risk_factor.name,
                "score": factor.score,
                "coverage": factor.coverage,
            }
            for factor in factors
        ],
    }


def alerts_open_filtered(
    *,
    desk_ids: Iterable[int] | None = None,
    rule_kind: str = "",
    iso3: str = "",
    raised_from=None,
    raised_before=None,
) -> QuerySet[Alert]:
    """Open alerts narrowed by desk, rule, country and when they were raised (severity is judged in alerts.triage)."""
    alerts = alerts_open()
    if desk_ids is not None:
        alerts = alerts.filter(country__desk_id__in=list(desk_ids))
    if rule_kind:
        alerts = alerts.filter(rule_kind=rule_kind)
    if iso3:
        alerts = alerts.filter(country__iso3=iso3)
    if raised_from is not None:
        alerts = alerts.filter(raised_at__gte=raised_from)
    if raised_before is not None:
        alerts = alerts.filter(raised_at__lt=raised_before)
    return alerts


def countries_with_open_alerts() -> QuerySet[Country]:
    return Country.objects.filter(alerts__status__in=Alert.OPEN_STATUSES).distinct().order_by("name")


def declarations_standing(country_ids: Iterable[int]) -> dict[int, str]:
    """Countries with a declaration of imminent risk in force, as {country_id: label} for the overview's marks."""
    declared = Escalation.objects.filter(
        country_id__in=list(country_ids), state=Escalation.State.IMMINENT_RISK_DECLARED
    ).values_list("country_id", flat=True)
    return {country_id: "Imminent risk declared" for country_id in declared}


def declaration_latest(country: Country) -> Escalation | None:
    """The country's latest declaration of imminent risk still in force, with who decided and its actions."""
    return (
        Escalation.objects.filter(country=country, state=Escalation.State.IMMINENT_RISK_DECLARED)
        .select_related("claimed_by", "country")
        .prefetch_related("actions")
        .order_by("-decided_at", "-pk")
        .first()
    )
