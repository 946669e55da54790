"""Serializers for the indicators API; writes are validated again by the services they feed."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from indicators.models import (
    ASSESSMENT_EVIDENCE_MAX_CHARS,
    ASSESSMENT_SOURCE_MAX_CHARS,
    Assessment,
    Band,
    Confidence,
    ConfidenceLevel,
    Country,
    CountryScore,
    CrimeGroup,
    Indicator,
    Methodology,
    RiskFactor,
    ScoreRun,
    Severity,
)
from indicators.selectors import SCORE_RECORD_COLUMNS


class DeskSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class CountrySerializer(serializers.ModelSerializer):
    desk = DeskSerializer(allow_null=True)

    class Meta:
        model = Country
        fields = ["iso3", "name", "region", "subregion", "desk", "un_status", "gw_code", "cow_code", "wb_code"]


class CountryRefSerializer(serializers.Serializer):
    iso3 = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField()


class IndicatorSerializer(serializers.ModelSerializer):
    risk_factor = serializers.IntegerField(source="risk_factor.number")
    crime_group = serializers.ChoiceField(source="risk_factor.crime_group", choices=CrimeGroup.choices)

    class Meta:
        model = Indicator
        fields = ["code", "short_title", "risk_factor", "crime_group", "position", "wording_status", "is_retired"]


class IndicatorInFactorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["code", "short_title", "position", "wording_status", "is_retired"]


class RiskFactorSerializer(serializers.ModelSerializer):
    framework = serializers.CharField(source="framework.code")
    indicators = IndicatorInFactorSerializer(many=True)

    class Meta:
        model = RiskFactor
        fields = ["number", "name", "crime_group", "framework", "indicators"]


class MethodologySerializer(serializers.ModelSerializer):
    parameters = serializers.DictField(help_text="Every scoring parameter of this version.")

    class Meta:
        model = Methodology
        fields = ["version", "name", "description", "parameters", "is_active", "published_at", "created_at"]


class ScoreRunSerializer(serializers.ModelSerializer):
    methodology = serializers.IntegerField(source="methodology.version")
    requested_by = serializers.CharField(source="requested_by.username", allow_null=True, default=None)
    country_scope = serializers.ListField(child=serializers.CharField(), help_text="ISO-3 codes; empty means all.")

    class Meta:
        model = ScoreRun
        fields = [
            "id",
            "methodology",
            "trigger",
            "status",
            "country_scope",
            "since",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "countries_count",
            "observations_count",
            "score_rows",
            "error",
        ]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A country's latest score",
            value={
                "country": {"iso3": "SDN", "name": "Sudan", "region": "Africa"},
                "month": "2026-03-01",
                "methodology": 1,
                "overall": 81.2,
                "band": "very_high",
                "common": 74.0,
                "genocide": 81.2,
                "crimes_against_humanity": 78.5,
                "war_crimes": 80.1,
                "coverage": 0.62,
                "change_3m": 4.1,
                "change_12m": 9.8,
            },
            response_only=True,
        )
    ]
)
class CountryScoreSerializer(serializers.ModelSerializer):
    country = CountryRefSerializer()
    methodology = serializers.IntegerField(source="methodology.version")
    band = serializers.ChoiceField(
        choices=Band.choices, allow_blank=True, help_text="Blank when the data confidence is insufficient."
    )

    class Meta:
        model = CountryScore
        fields = ["country", "month", "methodology", *SCORE_RECORD_COLUMNS]


class FactorScoreSerializer(serializers.Serializer):
    risk_factor = serializers.IntegerField(help_text="Risk factor number, 1-14.")
    score = serializers.FloatField(allow_null=True)
    coverage = serializers.FloatField()
    indicators_assessed = serializers.IntegerField()


class HistoryMonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    overall = serializers.FloatField(allow_null=True)
    band = serializers.ChoiceField(choices=Band.choices, allow_blank=True)
    common = serializers.FloatField(allow_null=True)
    genocide = serializers.FloatField(allow_null=True)
    crimes_against_humanity = serializers.FloatField(allow_null=True)
    war_crimes = serializers.FloatField(allow_null=True)
    coverage = serializers.FloatField()
    change_3m = serializers.FloatField(allow_null=True)
    change_12m = serializers.FloatField(allow_null=True)
    data_confidence = serializers.FloatField(
        allow_null=True, help_text="0-100: how much evidence, how fresh and undisputed, is behind the overall score."
    )
    data_confidence_level = serializers.ChoiceField(choices=ConfidenceLevel.choices, allow_blank=True)
    latest_evidence_on = serializers.DateField(allow_null=True, help_text="The newest assessment that counts.")
    factors = FactorScoreSerializer(many=True)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Two months of a country's history",
            value={
                "country": {"iso3": "MMR", "name": "Myanmar", "region": "Asia"},
                "methodology": 1,
                "months": [
                    {
                        "month": "2026-02-01",
                        "overall": 77.0,
                        "band": "very_high",
                        "common": 70.0,
                        "genocide": 77.0,
                        "crimes_against_humanity": 75.0,
                        "war_crimes": 72.5,
                        "coverage": 0.55,
                        "change_3m": 2.0,
                        "change_12m": 6.5,
                        "factors": [{"risk_factor": 1, "score": 66.7, "coverage": 0.5, "indicators_assessed": 4}],
                    }
                ],
            },
            response_only=True,
        )
    ]
)
class CountryHistorySerializer(serializers.Serializer):
    country = CountryRefSerializer()
    methodology = serializers.IntegerField(allow_null=True, help_text="Version; null before any methodology exists.")
    months = HistoryMonthSerializer(many=True)


class AssessmentSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.iso3")
    indicator = serializers.CharField(source="indicator.code")
    risk_factor = serializers.IntegerField(source="indicator.risk_factor.number")
    severity = serializers.ChoiceField(choices=Severity.choices)
    author = serializers.CharField(source="author.username", allow_null=True, default=None)
    dataset_import = serializers.IntegerField(
        source="dataset_import_id", allow_null=True, help_text="The dataset import it came from (null: an analyst's)."
    )
    superseded = serializers.BooleanField(
        read_only=True,
        default=False,
        help_text="Its import was superseded by a re-import under a newer mapping version: it no longer counts.",
    )

    class Meta:
        model = Assessment
        fields = [
            "id",
            "country",
            "indicator",
            "risk_factor",
            "observed_on",
            "severity",
            "confidence",
            "evidence",
            "source",
            "author",
            "dataset_import",
            "superseded",
            "recorded_at",
        ]


class LookupField(serializers.CharField):
    """A code looked up in a dict the view loaded once (country ISO-3 or indicator code), so bulk rows cost no query."""

    def __init__(self, *, context_key: str, normalise=str.strip, noun: str, **kwargs):
        self.context_key = context_key
        self.normalise = normalise
        self.noun = noun
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = self.normalise(super().to_internal_value(data))
        found = self.context[self.context_key].get(code)
        if found is None:
            raise serializers.ValidationError(f"No {self.noun} with code {code!r}.")
        return found


@extend_schema_field({"type": "string", "example": "KEN"})
class CountryCodeField(LookupField):
    def __init__(self, **kwargs):
        super().__init__(context_key="countries", normalise=lambda code: code.strip().upper(), noun="country", **kwargs)


@extend_schema_field({"type": "string", "example": "7.4"})
class IndicatorCodeField(LookupField):
    def __init__(self, **kwargs):
        super().__init__(context_key="indicators", noun="indicator", **kwargs)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A serious assessment of indicator 7.4",
            value={
                "country": "SDN",
                "indicator": "7.4",
                "observed_on": "2026-03-10",
                "severity": 3,
                "confidence": "high",
                "source": "UN Panel of Experts report S/2026/123",
                "evidence": "Hate speech by officials on state media, documented on three dates.",
            },
            request_only=True,
        )
    ]
)
class AssessmentWriteSerializer(serializers.Serializer):
    """One assessment to record; the service checks the desk, the date and the indicator again."""

    country = CountryCodeField(help_text="ISO-3 code of the country.")
    indicator = IndicatorCodeField(help_text="Indicator code in the active framework, e.g. 7.4.")
    observed_on = serializers.DateField(help_text="Date observed; not in the future.")
    severity = serializers.ChoiceField(choices=Severity.choices, help_text="0 none, 1 low, 2 moderate, 3 serious.")
    confidence = serializers.ChoiceField(choices=Confidence.choices)
    source = serializers.CharField(max_length=ASSESSMENT_SOURCE_MAX_CHARS)
    evidence = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=ASSESSMENT_EVIDENCE_MAX_CHARS
    )


class BulkCreatedSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Number of assessments recorded.")
    ids = serializers.ListField(child=serializers.IntegerField())


class IndicatorContributionSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    source = serializers.CharField(help_text="The dataset that made the assessment, or 'analyst'.")
    assessment_id = serializers.IntegerField()
    observed_on = serializers.DateField()
    severity = serializers.IntegerField()
    confidence = serializers.CharField()
    confidence_weight = serializers.FloatField()
    age_months = serializers.IntegerField()
    age_weight = serializers.FloatField()
    source_weight = serializers.FloatField(help_text="The methodology's weight of this source (analysts' may differ).")
    weight = serializers.FloatField(
        help_text="Its weight in the indicator's fused severity: confidence weight x age weight x source weight "
        "(v2); from v3 the age weight is replaced by halving for each half-life it lags the indicator's newest "
        "assessment beyond the methodology's same period (12 months)."
    )
    counts = serializers.BooleanField(help_text="False when older than the methodology's maximum age.")
    source_share = serializers.FloatField(help_text="Its part of the indicator's fused severity, 0-1.")
    share = serializers.FloatField(help_text="Its part of the factor's score, 0-1.")


class IndicatorChangeSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    source = serializers.CharField()
    kind = serializers.ChoiceField(choices=["new", "updated", "expired", "aged"])
    severity_before = serializers.IntegerField(allow_null=True)
    severity_now = serializers.IntegerField(allow_null=True)
    weight_before = serializers.FloatField()
    weight_now = serializers.FloatField()


class FactorExplanationSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    crime_group = serializers.ChoiceField(choices=CrimeGroup.choices)
    score = serializers.FloatField(allow_null=True)
    score_before = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)
    coverage = serializers.FloatField()
    indicators_assessed = serializers.IntegerField()
    indicators_total = serializers.IntegerField()
    contributions = IndicatorContributionSerializer(many=True)
    changes = IndicatorChangeSerializer(many=True)


class ScoreExplanationSerializer(serializers.Serializer):
    country = CountryRefSerializer()
    month = serializers.DateField()
    compared_with = serializers.DateField()
    methodology = serializers.IntegerField(source="methodology.version")
    overall = serializers.FloatField(source="stored.overall", allow_null=True, default=None)
    band = serializers.CharField(source="stored.band", allow_null=True, default=None)
    factors = FactorExplanationSerializer(many=True)
