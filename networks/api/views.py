"""Thin API views for the actor network: reads from networks.selectors, every change through networks.services."""

from __future__ import annotations

import datetime as dt
import hashlib

import orjson
from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.filters import StrictBooleanFilter
from core.api.renderers import CsvListMixin
from indicators.models import Country
from networks import selectors, services
from networks.api import serializers as api_serializers
from networks.models import Actor, ActorKind, ActorVersion, Relationship, RelationshipKind, RelationshipVersion

ID_REGEX = "[0-9]{1,18}"
MAX_ID = 2**63 - 1
GRAPH_CACHE_SECONDS = 3600
NOT_FOUND = OpenApiResponse(description="No such object, or no such country.")
INVALID = OpenApiResponse(description="The request is invalid; `fields` names each wrong field.")


class CountryCodeFilter(filters.CharFilter):
    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.filter(countries__iso3=value.strip().upper())


class ActorFilter(filters.FilterSet):
    country = CountryCodeFilter(help_text="ISO-3 code of a country the actor concerns.")
    kind = filters.ChoiceFilter(choices=ActorKind.choices)
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", help_text="Part of the name.")
    withdrawn = StrictBooleanFilter()

    class Meta:
        model = Actor
        fields: list[str] = []


class RelationshipFilter(filters.FilterSet):
    country = CountryCodeFilter(help_text="ISO-3 code of a country the relationship concerns.")
    kind = filters.ChoiceFilter(choices=RelationshipKind.choices)
    actor = filters.NumberFilter(
        method="filter_actor", min_value=1, max_value=MAX_ID, help_text="Relationships of this actor id (either end)."
    )
    withdrawn = StrictBooleanFilter(
        method="filter_withdrawn",
        help_text="true: withdrawn relationships and those reaching a withdrawn actor; false: neither.",
    )

    class Meta:
        model = Relationship
        fields: list[str] = []

    def filter_actor(self, queryset, name, value):
        return queryset.filter(Q(source_id=value) | Q(target_id=value))

    def filter_withdrawn(self, queryset, name, value):
        if value:
            return queryset.filter(Q(withdrawn=True) | ~selectors.live_ends())
        return queryset.filter(selectors.live_ends(), withdrawn=False)

    @property
    def qs(self):
        # A withdrawn actor is never shown as the far end of a tie unless withdrawn records are asked for.
        queryset = super().qs
        if self.form.cleaned_data.get("withdrawn") is None:
            queryset = queryset.filter(selectors.live_ends())
        return queryset


class WholeStatePatchSchema(AutoSchema):
    """PATCH records a new version from the whole new state, so its body is documented with every field POST
    requires, not as drf-spectacular's all-optional "Patched" form (which the server would refuse)."""

    def _get_request_for_media_type(self, serializer, direction="request"):
        if self.method != "PATCH":
            return super()._get_request_for_media_type(serializer, direction)
        self.method = "POST"
        try:
            return super()._get_request_for_media_type(serializer, direction)
        finally:
            self.method = "PATCH"


def _dates(data: dict) -> dict:
    return {"valid_from": data.get("valid_from"), "valid_to": data.get("valid_to")}


@extend_schema_view(
    list=extend_schema(
        summary="List actors",
        description="Persons, organisations, companies and assets of the actor network. Every role reads them.",
    ),
    retrieve=extend_schema(
        summary="One actor",
        description="With its FollowTheMoney properties and its full history.",
        responses={200: api_serializers.ActorDetailSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Record a new actor",
        description="Analysts of a desk owning one of its countries, and administrators.",
        request=api_serializers.ActorWriteSerializer,
        responses={201: api_serializers.ActorDetailSerializer, 400: INVALID},
    ),
    partial_update=extend_schema(
        summary="Record a new version of an actor",
        description="Send the whole new state; the previous one stays in the history.",
        request=api_serializers.ActorWriteSerializer,
        responses={200: api_serializers.ActorDetailSerializer, 400: INVALID, 404: NOT_FOUND},
    ),
)
class ActorViewSet(CsvListMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = ActorFilter
    schema = WholeStatePatchSchema()
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = Actor.objects.select_related("updated_by").prefetch_related("countries").order_by("name", "id")
        if self.action != "list":
            versions = ActorVersion.objects.select_related("author").order_by("-version")
            queryset = queryset.prefetch_related(Prefetch("versions", queryset=versions))
        return queryset

    def get_serializer_class(self):
        return api_serializers.ActorSerializer if self.action == "list" else api_serializers.ActorDetailSerializer

    def _record(self, request, actor=None):
        body = api_serializers.ActorWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        saved = services.actor_record(
            user=request.user,
            actor=actor,
            kind=data["kind"],
            name=data["name"],
            country_codes=data["countries"],
            sources=data["sources"],
            confidence=data["confidence"],
            withdrawn=data["withdrawn"],
            note=data["note"],
            **_dates(data),
        )
        return self.get_queryset().get(pk=saved.pk)

    def create(self, request, *args, **kwargs):
        actor = self._record(request)
        return Response(api_serializers.ActorDetailSerializer(actor).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        actor = self._record(request, actor=self.get_object())
        return Response(api_serializers.ActorDetailSerializer(actor).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


@extend_schema_view(
    list=extend_schema(
        summary="List relationships",
        description="Ties between actors and sanction designations (no target). Every role reads them.",
    ),
    retrieve=extend_schema(
        summary="One relationship",
        description="With its FollowTheMoney properties and its full history.",
        responses={200: api_serializers.RelationshipDetailSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Record a new relationship",
        description="Analysts of a desk owning one of the ends' countries, and administrators.",
        request=api_serializers.RelationshipWriteSerializer,
        responses={201: api_serializers.RelationshipDetailSerializer, 400: INVALID},
    ),
    partial_update=extend_schema(
        summary="Record a new version of a relationship",
        description="Send the whole new state; the previous one stays in the history.",
        request=api_serializers.RelationshipWriteSerializer,
        responses={200: api_serializers.RelationshipDetailSerializer, 400: INVALID, 404: NOT_FOUND},
    ),
)
class RelationshipViewSet(
    CsvListMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    filterset_class = RelationshipFilter
    schema = WholeStatePatchSchema()
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = Relationship.objects.select_related("source", "target").prefetch_related("countries").order_by("id")
        if self.action != "list":
            versions = RelationshipVersion.objects.select_related("author").order_by("-version")
            queryset = queryset.prefetch_related(Prefetch("versions", queryset=versions))
        return queryset

    def get_serializer_class(self):
        if self.action == "list":
            return api_serializers.RelationshipSerializer
        return api_serializers.RelationshipDetailSerializer

    def _actor(self, actor_id, field: str):
        if actor_id is None:
            return None
        actor = Actor.objects.filter(pk=actor_id).prefetch_related("countries").first()
        if actor is None:
            raise ValidationError({field: [f"No actor #{actor_id}."]})
        return actor

    def _record(self, request, relationship=None):
        body = api_serializers.RelationshipWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        saved = services.relationship_record(
            user=request.user,
            relationship=relationship,
            kind=data["kind"],
            source=self._actor(data["source"], "source"),
            target=self._actor(data.get("target"), "target"),
            label=data["label"],
            sources=data["sources"],
            confidence=data["confidence"],
            withdrawn=data["withdrawn"],
            note=data["note"],
            **_dates(data),
        )
        return self.get_queryset().get(pk=saved.pk)

    def create(self, request, *args, **kwargs):
        relationship = self._record(request)
        return Response(api_serializers.RelationshipDetailSerializer(relationship).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        relationship = self._record(request, relationship=self.get_object())
        return Response(api_serializers.RelationshipDetailSerializer(relationship).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


class GraphQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="Only actors and ties valid on this date (YYYY-MM-DD).")


class CountryNetworkView(APIView):
    """A country's actor network as nodes and edges; answers come from a cache until the graph changes."""

    @extend_schema(
        summary="A country's actor network",
        description=(
            "Every actor and relationship concerning the country (and the other end of each relationship), as nodes "
            "and edges. Sanction designations are not edges: they mark their actor `sanctioned`."
        ),
        parameters=[
            OpenApiParameter("iso3", OpenApiTypes.STR, OpenApiParameter.PATH, pattern="^[A-Za-z]{3}$"),
            OpenApiParameter("on", OpenApiTypes.DATE, description="Only actors and ties valid on this date."),
        ],
        responses={200: api_serializers.GraphSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def get(self, request, iso3: str):
        query = GraphQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        on: dt.date | None = query.validated_data.get("on")
        country = Country.objects.filter(iso3=iso3.upper()).first() if len(iso3) == 3 else None
        if country is None:
            raise NotFound(f"No country with ISO-3 code {iso3!r}.")
        version = selectors.graph_version()
        key = "api:v1:network:" + hashlib.sha256(f"{country.iso3}:{version}:{on}".encode()).hexdigest()
        rendered = cache.get(key)
        if rendered is None:
            elements = selectors.graph_as_of(selectors.graph_elements(country=country), on)
            body = {
                "country": country.iso3,
                "graph_version": version,
                "on": on.isoformat() if on else None,
                **elements,
            }
            # orjson writes tens of thousands of plain dicts (dates included) many times faster than DRF's renderer.
            rendered = orjson.dumps(body)
            cache.set(key, rendered, timeout=GRAPH_CACHE_SECONDS)
        return HttpResponse(rendered, content_type="application/json")
