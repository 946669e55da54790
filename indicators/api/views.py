"""Thin viewsets for the indicators API: reads come from selectors, writes go through indicators.services."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.api.exceptions import RowsInvalid
from core.api.parsers import CsvBody, CsvParser, DepthLimitedJSONParser, read_limited
from core.api.renderers import CsvListMixin
from core.roles import can_record_any_assessment
from indicators.api import serializers as api_serializers
from indicators.api.caching import DataConditionalListMixin, score_json_kept, score_json_response
from indicators.api.filters import AssessmentFilter, CountryFilter, IndicatorFilter, ScoreRunFilter
from indicators.crosswalk import CountryCrosswalk
from indicators.filters import CountryScoreFilter
from indicators.importers.base import ParserContext
from indicators.importers.generic_csv import parse_generic_csv
from indicators.models import Assessment, Country, CountryScore, Indicator, Methodology, RiskFactor, ScoreRun
from indicators.scoring.selectors import risk_factor_score_history, score_explanation
from indicators.selectors import SCORE_RECORD_COLUMNS, country_score_history, country_scores_latest, methodology_active
from indicators.services import (
    EARLIEST_OBSERVATION,
    AssessmentBatchInvalid,
    assessment_record,
    assessments_batch_check,
    assessments_record_batch,
)

ISO3_REGEX = "[A-Za-z]{3}"


class ExplanationQuerySerializer(serializers.Serializer):
    month = serializers.DateField(
        required=False, help_text="Any day of the month from 1900 to today; the latest scored month if absent."
    )

    def validate_month(self, value):
        # A well-formed date outside the scored range names a score that does not exist: 404, as for any missing
        # object, rather than a 400 for a request the schema calls valid.
        if value < EARLIEST_OBSERVATION:
            raise NotFound(f"Scores start in {EARLIEST_OBSERVATION:%Y}; there is no score for {value}.")
        if value > timezone.localdate():
            raise NotFound(f"{value} is in the future; there is no score for it to explain yet.")
        return value


class HistoryQuerySerializer(serializers.Serializer):
    since = serializers.DateField(required=False, help_text="First month, inclusive.")
    until = serializers.DateField(required=False, help_text="Last month, inclusive.")
    methodology = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="Methodology version."
    )


class ReadOnlyViewSet(CsvListMixin, viewsets.ReadOnlyModelViewSet):
    """List and detail, with CSV on the list."""


@extend_schema_view(
    list=extend_schema(summary="List countries", description="Every tracked country with its desk and codes."),
    retrieve=extend_schema(summary="One country", description="A country by ISO-3 code (case-insensitive)."),
)
class CountryViewSet(ReadOnlyViewSet):
    serializer_class = api_serializers.CountrySerializer
    filterset_class = CountryFilter
    lookup_field = "iso3"
    lookup_value_regex = ISO3_REGEX

    def get_queryset(self):
        return Country.objects.select_related("desk").order_by("name", "iso3")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), iso3=self.kwargs["iso3"].upper())

    @extend_schema(
        summary="One country's score history",
        description=(
            "Every monthly score of the country under a methodology (the active one unless `methodology` is given), "
            "oldest first, each month with its risk-factor breakdown. `since` and `until` bound the months."
        ),
        parameters=[HistoryQuerySerializer],
        responses={200: api_serializers.CountryHistorySerializer},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="scores", filterset_class=None, pagination_class=None)
    def scores(self, request, iso3: str):
        # The URL names the country: an answer kept for it needs neither the country nor the methodology read.
        scope = f"history:{iso3.upper()}"
        kept = score_json_kept(request, scope=scope)
        if kept is not None:
            return kept
        country = self.get_object()
        query = HistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        methodology = _methodology(query.validated_data.get("methodology"))
        since, until = query.validated_data.get("since"), query.validated_data.get("until")

        def build() -> dict:
            return {
                "country": {"iso3": country.iso3, "name": country.name, "region": country.region},
                "methodology": methodology.version if methodology else None,
                "months": _history_months(country=country, methodology=methodology, since=since, until=until),
            }

        return score_json_response(request, scope=scope, build=build)

    @extend_schema(
        summary="Why a country scored what it did",
        description=(
            "Factor by factor, the assessments that count, their confidence and age weights and their share, and "
            "what changed against three months earlier. Computed by the scoring core, so it matches stored scores."
        ),
        parameters=[ExplanationQuerySerializer],
        responses={200: api_serializers.ScoreExplanationSerializer},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="explanation", filterset_class=None, pagination_class=None)
    def explanation(self, request, iso3: str):
        country = self.get_object()
        query = ExplanationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if methodology_active() is None:
            raise NotFound("No methodology is active, so there is nothing to explain.")
        explained = score_explanation(country=country, month=query.validated_data.get("month"))
        return Response(api_serializers.ScoreExplanationSerializer(explained).data)


def _methodology(version: int | None) -> Methodology | None:
    if version is None:
        return methodology_active()
    return get_object_or_404(Methodology, version=version)


def _history_months(*, country, methodology, since, until) -> list[dict]:
    """Monthly scores oldest first with the factor breakdown, from the scoring selectors as plain values."""
    if methodology is None:
        return []
    months = country_score_history(
        countries=[country], methodology=methodology, since=since, until=until, columns=HISTORY_COLUMNS
    )[country.pk]
    factors_query = risk_factor_score_history(country=country, methodology=methodology, since=since)
    if until is not None:
        factors_query = factors_query.filter(month__lte=until)
    by_month: dict = {}
    factor_rows = factors_query.values_list("month", "risk_factor__number", "score", "coverage", "indicators_assessed")
    for month, number, score, coverage, assessed in factor_rows:
        by_month.setdefault(month, []).append(
            {"risk_factor": number, "score": score, "coverage": coverage, "indicators_assessed": assessed}
        )
    for row in months:
        row["factors"] = by_month.get(row["month"], [])
    return months


HISTORY_COLUMNS = ("month", *SCORE_RECORD_COLUMNS)


@extend_schema_view(
    list=extend_schema(summary="List risk factors", description="The 14 risk factors of the active framework."),
    retrieve=extend_schema(summary="One risk factor", description="A risk factor by number, with its indicators."),
)
class RiskFactorViewSet(ReadOnlyViewSet):
    serializer_class = api_serializers.RiskFactorSerializer
    lookup_field = "number"
    lookup_value_regex = "[0-9]{1,2}"

    def get_queryset(self):
        indicators = Indicator.objects.order_by("position")
        return (
            RiskFactor.objects.filter(framework__is_active=True)
            .select_related("framework")
            .prefetch_related(Prefetch("indicators", queryset=indicators))
            .order_by("number")
        )


@extend_schema_view(
    list=extend_schema(summary="List indicators", description="Indicators of the active framework."),
    retrieve=extend_schema(summary="One indicator", description="An indicator by code, e.g. 7.4."),
)
class IndicatorViewSet(ReadOnlyViewSet):
    serializer_class = api_serializers.IndicatorSerializer
    filterset_class = IndicatorFilter
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{1,2}\.[0-9]{1,3}"

    def get_queryset(self):
        return (
            Indicator.objects.filter(framework__is_active=True)
            .select_related("risk_factor")
            .order_by("risk_factor__number", "position")
        )


@extend_schema_view(
    list=extend_schema(summary="List methodology versions", description="Newest first; one is active."),
    retrieve=extend_schema(summary="One methodology version", description="With every scoring parameter."),
)
class MethodologyViewSet(ReadOnlyViewSet):
    serializer_class = api_serializers.MethodologySerializer
    lookup_field = "version"
    lookup_value_regex = "[0-9]{1,9}"

    def get_queryset(self):
        return Methodology.objects.order_by("-version")


@extend_schema_view(
    list=extend_schema(summary="List score runs", description="Every recompute, newest first, with its outcome."),
    retrieve=extend_schema(summary="One score run"),
)
class ScoreRunViewSet(ReadOnlyViewSet):
    serializer_class = api_serializers.ScoreRunSerializer
    filterset_class = ScoreRunFilter
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        return ScoreRun.objects.select_related("methodology", "requested_by").order_by("-created_at", "-id")


class LatestScoreFilterBackend(DjangoFilterBackend):
    """Passes the methodology's band thresholds to the overview's FilterSet, so the API bands as the UI does."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        methodology = view.methodology
        kwargs["band_thresholds"] = methodology.parameters.get("band_thresholds") if methodology else None
        return kwargs


@extend_schema_view(
    list=extend_schema(
        summary="Latest scores of all countries",
        description=(
            "Each country's most recent monthly score under the active methodology, ranked by the chosen crime "
            "group's score (highest first). `band` filters on that crime group's score, as on the overview page."
        ),
    )
)
class LatestScoreViewSet(CsvListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = api_serializers.CountryScoreSerializer
    filterset_class = CountryScoreFilter
    filter_backends = [LatestScoreFilterBackend]

    def list(self, request, *args, **kwargs):
        return score_json_response(
            request, scope="latest", build=lambda: super(LatestScoreViewSet, self).list(request).data
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation must not need a database
            return CountryScore.objects.none()
        self.methodology = methodology_active()
        # Only the sort by last assessed needs each country's latest observation date.
        sorts_by_last_assessed = "last_assessed" in self.request.query_params.get("sort", "")
        return country_scores_latest(methodology=self.methodology, with_last_assessed=sorts_by_last_assessed)


@extend_schema_view(
    list=extend_schema(
        summary="List assessments",
        description=(
            "Newest observation first. The rows of an import that a re-import of the same file under a newer mapping "
            "version superseded, and the demonstration data once real data is imported, no longer count and are "
            "left out; `include_superseded=true` lists them too, each with `superseded: true` and its "
            "`dataset_import`."
        ),
    ),
    retrieve=extend_schema(summary="One assessment"),
    create=extend_schema(
        summary="Record an assessment",
        description="Analysts record for their desk's countries; administrators may enter corrections.",
        request=api_serializers.AssessmentWriteSerializer,
        responses={201: api_serializers.AssessmentSerializer},
    ),
)
class AssessmentViewSet(DataConditionalListMixin, CsvListMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = api_serializers.AssessmentSerializer
    conditional_scope = "assessments"
    filterset_class = AssessmentFilter
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        return Assessment.objects.select_related("country", "indicator", "indicator__risk_factor", "author").order_by(
            "-observed_on", "-recorded_at", "-id"
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action in ("create", "bulk"):
            context["countries"] = {country.iso3: country for country in Country.objects.select_related("desk")}
            context["indicators"] = {
                indicator.code: indicator
                for indicator in Indicator.objects.filter(framework__is_active=True).select_related(
                    "framework", "risk_factor"
                )
            }
        return context

    def _require_writer(self):
        if not can_record_any_assessment(self.request.user):
            raise PermissionDenied("Only analysts and administrators record assessments.")

    def create(self, request, *args, **kwargs):
        self._require_writer()
        write = api_serializers.AssessmentWriteSerializer(data=request.data, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        assessment = assessment_record(author=request.user, **write.validated_data)
        assessment = self.get_queryset().get(pk=assessment.pk)
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record many assessments at once",
        description=(
            "A JSON array of assessments, or a CSV (`Content-Type: text/csv`, or a multipart upload in `file`) with "
            "the columns country, indicator, observed_on, severity, confidence, source and optionally evidence. "
            f"All or nothing: one bad row and nothing is recorded; the error lists every bad row (1-based) with its "
            f"field errors. At most {settings.API_BULK_MAX_ROWS} rows."
        ),
        request={
            "application/json": api_serializers.AssessmentWriteSerializer(many=True),
            "text/csv": OpenApiTypes.STR,
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            },
        },
        responses={201: api_serializers.BulkCreatedSerializer, 400: OpenApiResponse(description="Rows invalid")},
        examples=[
            OpenApiExample(
                "CSV body",
                value=(
                    "country,indicator,observed_on,severity,confidence,source,evidence\n"
                    "KEN,7.4,2026-03-01,2,medium,Desk reporting,Officials' speeches\n"
                ),
                media_type="text/csv",
                request_only=True,
            )
        ],
    )
    @action(detail=False, methods=["post"], parser_classes=[DepthLimitedJSONParser, CsvParser, MultiPartParser])
    def bulk(self, request):
        self._require_writer()
        rows, errors_by_row = _bulk_rows(request)
        # Rows the CSV parser refused are not among `rows`, so together they are every row sent.
        total = len(rows) + len(errors_by_row)
        context = self.get_serializer_context()
        numbers: list[int] = []
        parsed: list[dict] = []
        for number, row in rows:
            row_errors, values = _bulk_row_parse(row, context)
            if row_errors:
                errors_by_row[number] = row_errors
            else:
                numbers.append(number)
                parsed.append(values)
        forbidden_rows = 0
        ids: list[int] = []
        try:
            if errors_by_row:
                # Nothing will be recorded, but the report names the service's objections to the other rows too.
                assessments_batch_check(author=request.user, rows=parsed, row_numbers=numbers)
            else:
                recorded = assessments_record_batch(author=request.user, rows=parsed, row_numbers=numbers)
                ids = [assessment.pk for assessment in recorded]
        except AssessmentBatchInvalid as exc:
            for index, field_errors in exc.row_errors.items():
                errors_by_row[numbers[index]] = {field: list(messages) for field, messages in field_errors.items()}
            forbidden_rows = len(exc.forbidden_rows)
        if errors_by_row:
            errors = [{"row": number, "errors": errors_by_row[number]} for number in sorted(errors_by_row)]
            exc = RowsInvalid(errors, total=total)
            # Only desk refusals: the batch is forbidden rather than malformed.
            if forbidden_rows == len(errors):
                exc.status_code = status.HTTP_403_FORBIDDEN
            raise exc
        return Response({"created": len(ids), "ids": ids}, status=status.HTTP_201_CREATED)


def _bulk_rows(request) -> tuple[list[tuple[int, object]], dict[int, dict]]:
    """Numbered rows to check, and the errors already found per row. JSON rows count from 1; CSV rows are the
    file's line numbers (the header is line 1), as on the import page, because the generic CSV parser reads them."""
    data = request.data
    if request.content_type.startswith("multipart/"):
        upload = request.FILES.get("file")
        if upload is None:
            raise ParseError("Upload the CSV in a form field named 'file'.")
        data = CsvBody(raw=read_limited(upload, settings.ASSESSMENT_UPLOAD_MAX_BYTES))
    if isinstance(data, CsvBody):
        return _csv_rows(data.raw)
    if not isinstance(data, list):
        raise ParseError("Send a JSON array of assessments, or a CSV with a header line.")
    if not data:
        raise ParseError("There are no assessments in the request.")
    if len(data) > settings.API_BULK_MAX_ROWS:
        raise ParseError(f"At most {settings.API_BULK_MAX_ROWS} assessments per request; split the batch.")
    return list(enumerate(data, start=1)), {}


def _csv_rows(raw: bytes) -> tuple[list[tuple[int, dict]], dict[int, dict]]:
    context = ParserContext(
        crosswalk=CountryCrosswalk.default(),
        indicator_codes=frozenset(Indicator.objects.filter(framework__is_active=True).values_list("code", flat=True)),
        today=timezone.localdate(),
    )
    result = parse_generic_csv(raw, context)
    if result.fatal:
        raise ParseError("The CSV cannot be read: " + "; ".join(str(error) for error in result.errors[:5]))
    if result.rows_read == 0:
        raise ParseError("There are no assessments in the CSV.")
    if result.rows_read > settings.API_BULK_MAX_ROWS:
        raise ParseError(f"At most {settings.API_BULK_MAX_ROWS} assessments per request; split the file.")
    errors: dict[int, dict] = {}
    for error in result.errors:
        field = CSV_COLUMN_FIELDS.get(error.column, error.column or "non_field_errors")
        errors.setdefault(error.row, {}).setdefault(field, []).append(str(error.message))
    rows = [
        (
            record.row,
            {
                "country": record.iso3,
                "indicator": record.indicator,
                "observed_on": record.observed_on.isoformat(),
                "severity": record.severity,
                "confidence": record.confidence,
                "source": record.source,
                "evidence": record.evidence,
            },
        )
        for record in result.records
    ]
    return rows, errors


# The generic CSV's column names, as the API's field names.
CSV_COLUMN_FIELDS = {"iso3": "country", "date": "observed_on"}


def _bulk_row_parse(row, context) -> tuple[dict, dict]:
    """Field errors of one bulk row's shape and codes (empty when readable), and its values for the batch service,
    which checks the desk and the assessment rules."""
    if not isinstance(row, dict):
        return {"non_field_errors": ["Each row must be an object with the assessment's fields."]}, {}
    write = api_serializers.AssessmentWriteSerializer(data=row, context=context)
    if not write.is_valid():
        return {field: [str(m) for m in messages] for field, messages in write.errors.items()}, {}
    return {}, dict(write.validated_data)
