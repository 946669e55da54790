from django import forms
from django.contrib import admin
from django.db import transaction

from core.admin import ReadOnlyAdmin
from core.converters import is_iso3
from core.roles import can_record_assessment
from indicators.models import (
    Assessment,
    Country,
    CountryScore,
    DatasetImport,
    Desk,
    FrameworkVersion,
    Indicator,
    Methodology,
    RiskFactor,
    RiskFactorScore,
    ScoreRun,
)
from indicators.services import assessment_record, assessment_validate


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "is_active", "published_on")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RiskFactor)
class RiskFactorAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "crime_group", "framework")
    list_filter = ("framework", "crime_group")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "short_title", "risk_factor", "wording_status", "is_retired")
    list_filter = ("framework", "risk_factor__crime_group", "wording_status", "is_retired")
    search_fields = ("code", "short_title")
    list_select_related = ("risk_factor",)

    def has_delete_permission(self, request, obj=None):
        # Retire an indicator instead: assessments made against it must keep their meaning.
        return False


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("analysts",)


class CountryAdminForm(forms.ModelForm):
    class Meta:
        model = Country
        fields = ("iso3", "name", "region", "subregion", "desk", "gw_code", "cow_code", "wb_code", "un_status")

    def clean_iso3(self) -> str:
        """Country addresses take three letters or digits (core.converters); any other code could not be linked."""
        iso3 = self.cleaned_data["iso3"].strip().upper()
        if not is_iso3(iso3):
            raise forms.ValidationError("An ISO-3 code is three letters, e.g. SDN.")
        return iso3


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    form = CountryAdminForm
    list_display = ("iso3", "name", "region", "subregion", "desk", "gw_code", "cow_code", "un_status")
    list_filter = ("region", "desk", "un_status")
    search_fields = ("iso3", "name")
    list_select_related = ("desk",)

    def has_delete_permission(self, request, obj=None):
        return False


class AssessmentAdminForm(forms.ModelForm):
    """Runs the service's validation and permission check so problems show on the form, not as errors."""

    class Meta:
        model = Assessment
        fields = ("country", "indicator", "observed_on", "severity", "confidence", "source", "evidence")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not can_record_assessment(self.request_user, cleaned["country"]):
            raise forms.ValidationError("You may not record assessments for this country.")
        assessment_validate(
            country=cleaned["country"],
            indicator=cleaned["indicator"],
            observed_on=cleaned["observed_on"],
            severity=cleaned["severity"],
            confidence=cleaned["confidence"],
            source=cleaned["source"],
        )
        return cleaned


class SupersededFilter(admin.SimpleListFilter):
    """Rows of an import a re-import under a newer mapping superseded: recorded, but counted nowhere."""

    title = "superseded"
    parameter_name = "superseded"

    def lookups(self, request, model_admin):
        return (("no", "No (counted)"), ("yes", "Yes (counted nowhere)"))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(superseded=self.value() == "yes")
        return queryset


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Assessments can be added (through the service) and read, never changed or deleted. Rows of a superseded
    import are marked, so an administrator does not take them for ones that count."""

    # "superseded" second: the indicator's long name pushes later columns off a laptop's screen.
    list_display = (
        "country",
        "superseded",
        "indicator",
        "observed_on",
        "severity",
        "confidence",
        "author",
        "dataset_import",
    )
    list_filter = (SupersededFilter, "severity", "confidence", "indicator__risk_factor__crime_group")
    search_fields = ("country__iso3", "country__name", "indicator__code", "source")
    list_select_related = ("country", "indicator", "author", "dataset_import")
    fields = ("country", "indicator", "observed_on", "severity", "confidence", "source", "evidence")
    autocomplete_fields = ("country",)
    date_hierarchy = "observed_on"
    readonly_fields = ("superseded",)  # shown on an assessment's own page (get_fields), never on the add form

    def get_queryset(self, request):
        return super().get_queryset(request).with_superseded()

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return (*fields, "superseded") if obj is not None else fields

    # Words, not Django's green tick and red cross: a red cross on every current row read as an error.
    @admin.display(ordering="superseded", description="superseded")
    def superseded(self, obj) -> str:
        return "superseded: counts nowhere" if obj.superseded else "current"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    form = AssessmentAdminForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        saved = assessment_record(
            country=obj.country,
            indicator=obj.indicator,
            observed_on=obj.observed_on,
            severity=obj.severity,
            confidence=obj.confidence,
            source=obj.source,
            evidence=obj.evidence,
            author=request.user,
        )
        obj.pk = saved.pk
        obj._state.adding = False


class MethodologyAdminForm(forms.ModelForm):
    """Checks the parameters with the scoring core so a bad methodology shows on the form, not as an error."""

    class Meta:
        model = Methodology
        fields = ("name", "description", "parameters", "is_active")

    def clean_parameters(self):
        from indicators.scoring.core import MethodologyParameters, MethodologyParametersError

        parameters = self.cleaned_data["parameters"]
        try:
            MethodologyParameters.from_dict(parameters)
        except MethodologyParametersError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return parameters

    def _post_clean(self):
        # Activation goes through methodology_activate, which switches the previous version off in the same
        # transaction; validating the one-active constraint against the version being replaced would refuse it.
        wants_active = self.cleaned_data.get("is_active", False)
        self.cleaned_data["is_active"] = self.instance.is_active if self.instance.pk else False
        super()._post_clean()
        self.cleaned_data["is_active"] = self.instance.is_active = wants_active

    def clean_is_active(self):
        is_active = self.cleaned_data["is_active"]
        if self.instance.pk and self.instance.is_active and not is_active:
            # Scores always need one active method; switching is done by activating the successor.
            raise forms.ValidationError("Exactly one version is active: activate another version to replace this one.")
        return is_active


@admin.register(Methodology)
class MethodologyAdmin(admin.ModelAdmin):
    """New versions are published through the scoring service; a version that produced scores is read-only."""

    form = MethodologyAdminForm
    list_display = ("version", "name", "is_active", "published_at")
    fields = ("version", "name", "description", "parameters", "is_active", "published_at", "created_by")
    readonly_fields = ("version", "published_at", "created_by")

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        from indicators.scoring.services import methodology_in_use

        if obj is not None and methodology_in_use(methodology=obj):
            return (*self.readonly_fields, *obj.FROZEN_WHEN_USED)
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        from indicators.scoring.services import methodology_activate, methodology_publish

        if change:
            activate = obj.is_active
            with transaction.atomic():
                if activate:  # activation goes through the service, which switches the previous version off first
                    obj.is_active = type(obj).objects.get(pk=obj.pk).is_active
                obj.save()  # Methodology.save refuses changes to a version in use
                if activate:
                    methodology_activate(methodology=obj, actor=request.user)
            return
        published = methodology_publish(
            name=obj.name,
            description=obj.description,
            parameters=obj.parameters,
            created_by=request.user,
            activate=obj.is_active,
        )
        obj.pk, obj.version = published.pk, published.version
        obj._state.adding = False


@admin.register(ScoreRun)
class ScoreRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "trigger", "status", "methodology", "started_at", "finished_at", "score_rows", "error")
    list_filter = ("status", "trigger")


@admin.register(CountryScore)
class CountryScoreAdmin(ReadOnlyAdmin):
    list_display = ("country", "month", "methodology", "overall", "band", "coverage")
    list_filter = ("methodology", "band")
    list_select_related = ("country", "methodology")


@admin.register(RiskFactorScore)
class RiskFactorScoreAdmin(ReadOnlyAdmin):
    list_display = ("country", "month", "risk_factor", "score", "coverage")
    list_select_related = ("country", "risk_factor")


@admin.register(DatasetImport)
class DatasetImportAdmin(ReadOnlyAdmin):
    list_display = ("source", "file_name", "status", "rows_read", "rows_created", "rows_skipped", "created_at")
    list_filter = ("source", "status")
