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


def _provenance(data: dict) -> dict:
    """The fields every actor and relationship write shares, from a validated body."""
    return {
        "sources": data["sources"],
        "confidence": data["confidence"],
        "valid_from": data.get("valid_from"),
        "valid_to": data.get("valid_to"),
        "withdrawn": data["withdrawn"],
        "note": data["note"],
    }


def _versioned_schema(noun: str, *, listed: str, who_records: str, detail, write):
    """The documentation of a list, read, create and new-version endpoint of a versioned record."""
    return extend_schema_view(
        list=extend_schema(summary=f"List {noun}s", description=listed),
        retrieve=extend_schema(
            summary=f"One {noun}",
            description="With its FollowTheMoney properties and its full history.",
            responses={200: detail, 404: NOT_FOUND},
        ),
        create=extend_schema(
            summary=f"Record a new {noun}",
            description=who_records,
            request=write,
            responses={201: detail, 400: INVALID},
        ),
        partial_update=extend_schema(
            summary=f"Record a new version of {'an' if noun[0] in 'aeiou' else 'a'} {noun}",
            description="Send the whole new state; the previous one stays in the history.",
            request=write,
            responses={200: detail, 400: INVALID, 404: NOT_FOUND},
        ),
    )


class VersionedRecordViewSet(
    CsvListMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Lists and reads a versioned record; POST records a new one and PATCH a new version of one, each through the
    service the subclass calls in `record(request, body, existing)`."""

    schema = WholeStatePatchSchema()
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "patch", "head", "options"]
    model = None
    version_model = None
    list_serializer_class = None
    detail_serializer_class = None
    write_serializer_class = None
    related: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ("id",)

    def get_queryset(self):
        queryset = (
            self.model.objects.select_related(*self.related).prefetch_related("countries").order_by(*self.ordering)
        )
        if self.action != "list":
            versions = self.version_model.objects.select_related("author").order_by("-version")
            queryset = queryset.prefetch_related(Prefetch("versions", queryset=versions))
        return queryset

    def get_serializer_class(self):
        return self.list_serializer_class if self.action == "list" else self.detail_serializer_class

    def record(self, request, body: dict, existing):
        raise NotImplementedError

    def _record(self, request, existing=None):
        body = self.write_serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        saved = self.record(request, body.validated_data, existing)
        return self.get_queryset().get(pk=saved.pk)

    def create(self, request, *args, **kwargs):
        saved = self._record(request)
        return Response(self.detail_serializer_class(saved).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        saved = self._record(request, existing=self.get_object())
        return Response(self.detail_serializer_class(saved).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


@_versioned_schema(
    "actor",
    listed="Persons, organisations, companies and assets of the actor network. Every role reads them.",
    who_records="Analysts of a desk owning one of its countries, and administrators.",
    detail=api_serializers.ActorDetailSerializer,
    write=api_serializers.ActorWriteSerializer,
)
class ActorViewSet(VersionedRecordViewSet):
    filterset_class = ActorFilter
    model = Actor
    version_model = ActorVersion
    list_serializer_class = api_serializers.ActorSerializer
    detail_serializer_class = api_serializers.ActorDetailSerializer
    write_serializer_class = api_serializers.ActorWriteSerializer
    related = ("updated_by",)
    ordering = ("name", "id")

    def record(self, request, body: dict, existing):
        return services.actor_record(
            user=request.user,
            actor=existing,
            kind=body["kind"],
            name=body["name"],
            country_codes=body["countries"],
            **_provenance(body),
        )


@_versioned_schema(
    "relationship",
    listed="Ties between actors and sanction designations (no target). Every role reads them.",
    who_records="Analysts of a desk owning one of the ends' countries, and administrators.",
    detail=api_serializers.RelationshipDetailSerializer,
    write=api_serializers.RelationshipWriteSerializer,
)
class RelationshipViewSet(VersionedRecordViewSet):
    filterset_class = RelationshipFilter
    model = Relationship
    version_model = RelationshipVersion
    list_serializer_class = api_serializers.RelationshipSerializer
    detail_serializer_class = api_serializers.RelationshipDetailSerializer
    write_serializer_class = api_serializers.RelationshipWriteSerializer
    related = ("source", "target")

    def _actor(self, actor_id, field: str):
        if actor_id is None:
            return None
        actor = Actor.objects.filter(pk=actor_id).prefetch_related("countries").first()
        if actor is None:
            raise ValidationError({field: [f"No actor #{actor_id}."]})
        return actor

    def record(self, request, body: dict, existing):
        return services.relationship_record(
            user=request.user,
            relationship=existing,
            kind=body["kind"],
            source=self._actor(body["source"], "source"),
            target=self._actor(body.get("target"), "target"),
            label=body["label"],
            **_provenance(body),
        )


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
