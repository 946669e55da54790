"""Serializers of the actor network API: reads mirror the pages; writes are validated here and applied by services."""

from __future__ import annotations

from rest_framework import serializers

from indicators.models import Confidence
from networks.models import Actor, ActorKind, ActorVersion, Relationship, RelationshipKind, RelationshipVersion

MAX_ID = 2**63 - 1


class ActorVersionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True, default=None, allow_null=True)
    dataset_import = serializers.IntegerField(source="dataset_import_id", read_only=True, allow_null=True)

    class Meta:
        model = ActorVersion
        fields = [
            "version",
            "kind",
            "name",
            "ftm_schema",
            "country_codes",
            "sources",
            "confidence",
            "valid_from",
            "valid_to",
            "withdrawn",
            "note",
            "author",
            "dataset_import",
            "recorded_at",
        ]


# What every actor and relationship shows after its identity and ends, in this order.
PROVENANCE_FIELDS = [
    "countries",
    "sources",
    "confidence",
    "valid_from",
    "valid_to",
    "withdrawn",
    "version",
    "updated_at",
]


# The ISO-3 codes of the countries a record concerns, sorted (read from the prefetched countries). A comment, not a
# docstring: drf-spectacular would publish a docstring as the field's description.
class CountryCodesMixin(serializers.Serializer):
    countries = serializers.SerializerMethodField()

    def get_countries(self, record) -> list[str]:
        return sorted(country.iso3 for country in record.countries.all())


class ActorSerializer(CountryCodesMixin, serializers.ModelSerializer):
    updated_by = serializers.CharField(source="updated_by.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Actor
        fields = ["id", "ftm_id", "name", "kind", "ftm_schema", *PROVENANCE_FIELDS, "updated_by"]


class ActorDetailSerializer(ActorSerializer):
    properties = serializers.JSONField(help_text="The FollowTheMoney properties")
    history = ActorVersionSerializer(source="versions", many=True, read_only=True)

    class Meta(ActorSerializer.Meta):
        fields = [*ActorSerializer.Meta.fields, "properties", "history"]


class _ProvenanceWrite(serializers.Serializer):
    sources = serializers.ListField(child=serializers.CharField(max_length=500), min_length=1)
    confidence = serializers.ChoiceField(choices=Confidence.choices)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_to = serializers.DateField(required=False, allow_null=True)
    withdrawn = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class ActorWriteSerializer(_ProvenanceWrite):
    name = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=ActorKind.choices)
    countries = serializers.ListField(
        child=serializers.RegexField(r"^[A-Za-z]{3}$", max_length=3), min_length=1, help_text="ISO-3 codes"
    )


class RelationshipVersionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True, default=None, allow_null=True)
    dataset_import = serializers.IntegerField(source="dataset_import_id", read_only=True, allow_null=True)

    class Meta:
        model = RelationshipVersion
        fields = [
            "version",
            "kind",
            "ftm_schema",
            "source",
            "target",
            "label",
            "country_codes",
            "sources",
            "confidence",
            "valid_from",
            "valid_to",
            "withdrawn",
            "note",
            "author",
            "dataset_import",
            "recorded_at",
        ]


class ActorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["id", "ftm_id", "name", "kind"]


class RelationshipSerializer(CountryCodesMixin, serializers.ModelSerializer):
    source = ActorBriefSerializer(read_only=True)
    target = ActorBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Relationship
        fields = ["id", "ftm_id", "kind", "ftm_schema", "source", "target", "label", *PROVENANCE_FIELDS]


class RelationshipDetailSerializer(RelationshipSerializer):
    properties = serializers.JSONField(help_text="The FollowTheMoney properties")
    history = RelationshipVersionSerializer(source="versions", many=True, read_only=True)

    class Meta(RelationshipSerializer.Meta):
        fields = [*RelationshipSerializer.Meta.fields, "properties", "history"]


class RelationshipWriteSerializer(_ProvenanceWrite):
    kind = serializers.ChoiceField(choices=RelationshipKind.choices)
    source = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Actor id")
    target = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, help_text="Actor id; none for a sanction"
    )
    label = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class GraphNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ActorKind.choices)
    countries = serializers.ListField(child=serializers.CharField())
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)
    sanctioned = serializers.BooleanField()
    sanctioned_home = serializers.BooleanField(help_text="Sanctioned by our own jurisdiction")
    sanctioned_by = serializers.ListField(child=serializers.CharField())


class GraphEdgeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RelationshipKind.choices)
    source = serializers.IntegerField()
    target = serializers.IntegerField()
    label = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)


class GraphSerializer(serializers.Serializer):
    country = serializers.CharField()
    graph_version = serializers.CharField()
    on = serializers.DateField(allow_null=True)
    nodes = GraphNodeSerializer(many=True)
    edges = GraphEdgeSerializer(many=True)
