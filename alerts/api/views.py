"""Thin viewsets for alerts and escalations: reads from alerts.selectors, every change through alerts.services."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response

from alerts import selectors, services
from alerts.api import serializers as api_serializers
from alerts.models import Alert, Escalation, ResponseAction, RuleKind, Urgency
from core.api.filters import StrictBooleanFilter, UtcIsoDateTimeFilter
from core.api.renderers import CsvListMixin
from core.models import AuditEvent
from core.roles import Role, has_role
from indicators.models import Country

ID_REGEX = "[0-9]{1,18}"
CONFLICT = OpenApiResponse(description="Not possible from the case's current state; nothing was changed.")


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The object is not in a state that allows this."


class AlertFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Alert.Status.choices)
    open = StrictBooleanFilter(method="filter_open", help_text="Only open (or acknowledged) alerts.")
    country = filters.CharFilter(method="filter_country", help_text="ISO-3 code.")
    rule_kind = filters.ChoiceFilter(choices=RuleKind.choices)
    raised_after = UtcIsoDateTimeFilter(field_name="raised_at", lookup_expr="gte")

    class Meta:
        model = Alert
        fields: list[str] = []

    def filter_open(self, queryset, name, value):
        return (
            queryset.filter(status__in=Alert.OPEN_STATUSES)
            if value
            else queryset.exclude(status__in=Alert.OPEN_STATUSES)
        )

    def filter_country(self, queryset, name, value):
        return queryset.filter(country__iso3=value.strip().upper())


class EscalationFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=Escalation.State.choices)
    urgency = filters.ChoiceFilter(choices=Urgency.choices)
    country = filters.CharFilter(method="filter_country", help_text="ISO-3 code.")
    awaiting_focal_point = StrictBooleanFilter(method="filter_awaiting", help_text="Only cases in the queue.")

    class Meta:
        model = Escalation
        fields: list[str] = []

    def filter_country(self, queryset, name, value):
        return queryset.filter(country__iso3=value.strip().upper())

    def filter_awaiting(self, queryset, name, value):
        awaiting = Q(state__in=Escalation.AWAITING_FOCAL_POINT)
        return queryset.filter(awaiting) if value else queryset.exclude(awaiting)


def _service_call(call, *args, **kwargs):
    """Run a workflow service; a refused transition is a 409, other refusals keep their own status."""
    try:
        return call(*args, **kwargs)
    except services.EscalationTransitionError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise Conflict(" ".join(exc.messages)) from exc


@extend_schema_view(
    list=extend_schema(summary="List alerts", description="Newest first. Every role reads alerts."),
    retrieve=extend_schema(summary="One alert"),
)
class AlertViewSet(CsvListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = api_serializers.AlertSerializer
    filterset_class = AlertFilter
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return Alert.objects.select_related("country", "rule", "handled_by").order_by("-raised_at", "-id")

    @extend_schema(
        summary="Acknowledge an alert",
        description="Analysts of the country's desk and the Focal Point acknowledge open alerts.",
        request=None,
        responses={200: api_serializers.AlertSerializer},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = services.alert_acknowledge(alert=self.get_object(), user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=alert.pk)).data)

    @extend_schema(
        summary="Dismiss an alert",
        description="With a reason; analysts of the country's desk and the Focal Point only.",
        request=api_serializers.DismissSerializer,
        responses={200: api_serializers.AlertSerializer},
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        body = api_serializers.DismissSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        alert = services.alert_dismiss(alert=self.get_object(), user=request.user, reason=body.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=alert.pk)).data)


def _transition_schema(summary: str, description: str, request):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={200: api_serializers.EscalationDetailSerializer, 409: CONFLICT},
    )


@extend_schema_view(
    list=extend_schema(
        summary="List escalations",
        description=(
            "Cases you may see, newest first: analysts see their desk's and their own, the Focal Point, viewers "
            "and administrators see all submitted cases (others' drafts are working notes and stay private)."
        ),
    ),
    retrieve=extend_schema(
        summary="One escalation",
        description="With its timeline, response actions and the transitions you may make now.",
        responses={200: api_serializers.EscalationDetailSerializer},
    ),
    create=extend_schema(
        summary="Draft an escalation",
        description="Analysts of the country's desk only. Name an open alert to turn it into this case.",
        request=api_serializers.EscalationWriteSerializer,
        responses={201: api_serializers.EscalationDetailSerializer},
    ),
    update=extend_schema(
        summary="Edit an escalation",
        description="Only a draft, or a case returned for more information, by an analyst of the desk.",
        request=api_serializers.EscalationUpdateSerializer,
        responses={200: api_serializers.EscalationDetailSerializer, 409: CONFLICT},
    ),
)
class EscalationViewSet(CsvListMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = api_serializers.EscalationSerializer
    filterset_class = EscalationFilter
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        if self.action != "list":
            return selectors.escalations_visible_to(user).order_by("-created_at", "-id")
        # The same cases the escalations page lists: the queue plus the others it shows.
        listed = Q(pk__in=selectors.escalation_queue(user).values("pk")) | Q(
            pk__in=selectors.escalations_other(user).values("pk")
        )
        return selectors.escalations_visible_to(user).filter(listed).order_by("-created_at", "-id")

    def get_object(self):
        queryset = self.get_queryset().prefetch_related(
            Prefetch(
                "audit_events",
                queryset=AuditEvent.objects.select_related("actor").order_by("occurred_at", "pk"),
                to_attr="timeline_events",
            ),
            Prefetch("actions", queryset=ResponseAction.objects.order_by("due_on", "pk"), to_attr="response_actions"),
        )
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def _detail(self, escalation: Escalation, *, status_code: int = status.HTTP_200_OK) -> Response:
        self.kwargs["pk"] = escalation.pk
        fresh = self.get_object()
        context = {
            **self.get_serializer_context(),
            "available": services.transitions_available(fresh, self.request.user),
        }
        return Response(api_serializers.EscalationDetailSerializer(fresh, context=context).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def create(self, request, *args, **kwargs):
        if not has_role(request.user, Role.ANALYST):
            raise PermissionDenied("Only analysts raise escalations.")
        body = api_serializers.EscalationWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        country = get_object_or_404(Country, iso3=values.pop("country").strip().upper())
        alert_id = values.pop("alert", None)
        alert = get_object_or_404(Alert.objects.select_related("country"), pk=alert_id) if alert_id else None
        escalation = services.escalation_create(country=country, user=request.user, alert=alert, **values)
        return self._detail(escalation, status_code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        escalation = self.get_object()
        body = api_serializers.EscalationUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = _service_call(
            services.escalation_update, escalation=escalation, user=request.user, **body.validated_data
        )
        return self._detail(updated)

    def _transition(self, request, action_name: str, serializer_class=api_serializers.TransitionSerializer):
        escalation = self.get_object()
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        moved = _service_call(
            services.escalation_transition,
            escalation=escalation,
            action=action_name,
            user=request.user,
            reason=body.validated_data.get("reason", ""),
            actions=body.validated_data.get("actions", ()),
        )
        return self._detail(moved)

    @_transition_schema("Submit to the Focal Point", "A draft, by an analyst of the desk.", None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, "submit")

    @_transition_schema("Claim for review", "The Focal Point claims a submitted case; one focal point wins.", None)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        return self._transition(request, "claim")

    @_transition_schema(
        "Request more information",
        "The Focal Point returns a case under review, with a reason.",
        api_serializers.TransitionSerializer,
    )
    @action(detail=True, methods=["post"], url_path="request-information")
    def request_information(self, request, pk=None):
        return self._transition(request, "request_information")

    @_transition_schema(
        "Resubmit",
        "The analyst resubmits a returned case with a note on what was added.",
        api_serializers.TransitionSerializer,
    )
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        return self._transition(request, "resubmit")

    @_transition_schema(
        "Declare imminent risk",
        "The Focal Point's decision, with a rationale and at least one response action.",
        api_serializers.DeclareSerializer,
    )
    @action(detail=True, methods=["post"], url_path="declare-imminent-risk")
    def declare_imminent_risk(self, request, pk=None):
        return self._transition(request, "declare_imminent_risk", api_serializers.DeclareSerializer)

    @_transition_schema(
        "Put under monitoring", "The Focal Point's decision, with a rationale.", api_serializers.TransitionSerializer
    )
    @action(detail=True, methods=["post"])
    def monitor(self, request, pk=None):
        return self._transition(request, "monitor")

    @_transition_schema("Close", "The Focal Point's decision, with a rationale.", api_serializers.TransitionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._transition(request, "close")
