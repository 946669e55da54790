"""Framework reference data, countries, desks, append-only assessments, methodology and scores."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q

from core.bands import BAND_LABELS
from core.models import AppendOnlyModel, AppendOnlyQuerySet, QueuedJobModel


class CrimeGroup(models.TextChoices):
    COMMON = "common", "Common risk factors"
    GENOCIDE = "genocide", "Genocide"
    CRIMES_AGAINST_HUMANITY = "crimes_against_humanity", "Crimes against humanity"
    WAR_CRIMES = "war_crimes", "War crimes"


class FrameworkVersion(models.Model):
    """One published version of the UN Framework of Analysis reference list."""

    code = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    is_active = models.BooleanField(default=False)
    published_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_on", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_framework_version"
            )
        ]

    def __str__(self) -> str:
        return self.title


class RiskFactor(models.Model):
    framework = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="risk_factors")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(99)])
    name = models.CharField(max_length=200)
    crime_group = models.CharField(max_length=32, choices=CrimeGroup.choices)

    class Meta:
        ordering = ["framework", "number"]
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="unique_risk_factor_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class WordingStatus(models.TextChoices):
    CHECKED = "checked", "Checked against the framework text"
    RECALLED = "recalled", "Recalled from the 2014 text"
    UNCERTAIN = "uncertain", "Number or existence not confirmed"


class Indicator(models.Model):
    framework = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="indicators")
    risk_factor = models.ForeignKey(RiskFactor, on_delete=models.PROTECT, related_name="indicators")
    code = models.CharField(max_length=10, help_text="Number as in the framework, e.g. 7.4")
    position = models.PositiveSmallIntegerField(help_text="Order within its risk factor")
    short_title = models.CharField(max_length=300)
    wording_status = models.CharField(max_length=16, choices=WordingStatus.choices)
    is_retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["risk_factor__number", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="unique_indicator_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.short_title}"


class Desk(models.Model):
    """A geographic desk of analysts that owns a set of countries."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    analysts = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="desks", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UnStatus(models.TextChoices):
    MEMBER = "member", "UN member state"
    OBSERVER = "observer", "UN observer state"
    TERRITORY = "territory", "Territory or contested entity"


class Country(models.Model):
    iso3 = models.CharField(max_length=3, unique=True)
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=40)
    subregion = models.CharField(max_length=60, blank=True)
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="countries", null=True, blank=True)
    gw_code = models.PositiveIntegerField(null=True, blank=True, verbose_name="Gleditsch-Ward code")
    cow_code = models.PositiveIntegerField(null=True, blank=True, verbose_name="Correlates of War code")
    wb_code = models.CharField(max_length=3, blank=True, verbose_name="World Bank code")
    un_status = models.CharField(max_length=16, choices=UnStatus.choices)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return f"{self.name} ({self.iso3})"


class Confidence(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Severity(models.IntegerChoices):
    NONE = 0, "None"
    LOW = 1, "Low"
    MODERATE = 2, "Moderate"
    SERIOUS = 3, "Serious"


# Generic CSV uploads are analysts' own assessments, not a public dataset: they neither end demonstration mode nor
# retire the demonstration data.
NOT_REAL_DATA_SOURCES = ("csv",)


class DatasetImportQuerySet(models.QuerySet):
    def real_data(self) -> DatasetImportQuerySet:
        """The successful imports of real data: any dataset but an analyst's CSV and seed_demo's invented data."""
        return self.filter(status=DatasetImport.Status.SUCCEEDED, demonstration=False).exclude(
            source__in=NOT_REAL_DATA_SOURCES
        )

    def superseded(self) -> DatasetImportQuerySet:
        """The imports whose assessments no longer count: those a later successful import of the same bytes under the
        same source and another mapping version re-mapped (the later import says what the file means now), and
        seed_demo's demonstration imports once any real data is in (demonstration data never mixes with real data)."""
        later = DatasetImport.objects.filter(
            source=OuterRef("source"),
            checksum=OuterRef("checksum"),
            status=DatasetImport.Status.SUCCEEDED,
            pk__gt=OuterRef("pk"),
        ).exclude(mapping_version=OuterRef("mapping_version"))
        return self.filter(Exists(later) | (Exists(DatasetImport.objects.real_data()) & Q(demonstration=True)))

    def not_superseded(self) -> DatasetImportQuerySet:
        return self.exclude(pk__in=DatasetImport.objects.superseded().values("pk"))


class DatasetImport(QueuedJobModel):
    """One import of a dataset file: what was read, what was created, and what went wrong."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=40)
    file_name = models.CharField(max_length=300)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the file")
    mapping_version = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    skip_invalid = models.BooleanField(default=False)
    rows_read = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done")
    errors = models.JSONField(default=list, blank=True)
    error_summary = models.TextField(blank=True)
    # Rows deliberately left out (untracked entities, merged historical codes, years before the window) and counts per
    # indicator: not errors, but what an analyst needs to trust the import.
    summary = models.JSONField(default=dict, blank=True)
    # Where an uploaded file waits for the Celery task that imports it.
    file_path = models.CharField(max_length=500, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of the running worker")
    requeued = models.BooleanField(default=False, help_text="Re-queued once after its worker died")
    rerun_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Run by a command in a terminal (import_data, seed_demo --import-now): its file lies on that user's disk, so a
    # killed one is failed by the reaper and left to the user, not queued for a worker.
    inline = models.BooleanField(
        default=False, editable=False, help_text="Run by a command in a terminal rather than by a worker"
    )
    demonstration = models.BooleanField(
        default=False,
        editable=False,
        help_text="Invented demonstration data (seed_demo); it stops counting once real data is imported",
    )
    # The countries whose score inputs it changed, written with its rows (see indicators/scoring/lost_messages.py).
    score_country_ids = models.JSONField(default=list, blank=True, editable=False)

    objects = DatasetImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["source", "checksum"]), models.Index(fields=["checksum", "status"])]

    def __str__(self) -> str:
        return f"{self.source} {self.file_name} ({self.status})"


# Limits every way of recording an assessment applies alike (form, API, CSV upload, import_data).
ASSESSMENT_EVIDENCE_MAX_CHARS = 20_000
ASSESSMENT_SOURCE_MAX_CHARS = 500


class AssessmentQuerySet(AppendOnlyQuerySet):
    def not_superseded(self) -> AssessmentQuerySet:
        """Less the rows of imports a re-import under a newer mapping superseded (`DatasetImportQuerySet.superseded`):
        what every reader of assessments shows and counts, in the same query (the rows stay recorded)."""
        return self.exclude(dataset_import_id__in=DatasetImport.objects.superseded().values("pk"))

    def with_superseded(self) -> AssessmentQuerySet:
        """Each row annotated `superseded`: whether its import was superseded (False for analysts' rows)."""
        superseded = DatasetImport.objects.superseded().filter(pk=OuterRef("dataset_import_id"))
        return self.annotate(superseded=Exists(superseded))


class Assessment(AppendOnlyModel):
    """One observation: an indicator's severity in a country on a date. Corrections are new rows.

    Read it through `Assessment.objects.not_superseded()`: a superseded import's rows must not reach a page or a count.
    """

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="assessments")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="assessments")
    observed_on = models.DateField()
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    confidence = models.CharField(max_length=8, choices=Confidence.choices)
    evidence = models.TextField(blank=True)
    source = models.CharField(max_length=500)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    dataset_import = models.ForeignKey(
        DatasetImport, on_delete=models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-observed_on", "-recorded_at"]
        indexes = [
            models.Index(fields=["country", "indicator", "observed_on"]),
            # The dashboards read a country's assessments newest first and each country's last assessment date.
            models.Index(fields=["country", "-observed_on"], name="assessment_country_newest"),
            models.Index(fields=["observed_on"]),
            # The lost-recompute sweep reads analysts' latest saves; imports' rows (nearly all) stay out of it.
            models.Index(
                fields=["recorded_at"], condition=Q(dataset_import__isnull=True), name="assessment_analyst_recorded"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(severity__gte=0, severity__lte=3), name="assessment_severity_0_3"),
            models.CheckConstraint(
                condition=Q(author__isnull=False) | Q(dataset_import__isnull=False),
                name="assessment_has_author_or_import",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country.iso3} {self.indicator.code} {self.observed_on}: {self.severity}"


class MethodologyInUseError(ValidationError):
    """A methodology version that scores already use cannot change; publish a new version instead."""


class Methodology(models.Model):
    """A versioned, published set of scoring parameters; scores name the version that made them."""

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    parameters = models.JSONField()
    is_active = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "methodologies"
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_methodology")
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"

    # Once a score run used a version, these fields are frozen; only is_active may change.
    FROZEN_WHEN_USED = ("version", "name", "description", "parameters")

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk and self.runs.exists():
            stored = type(self).objects.filter(pk=self.pk).values(*self.FROZEN_WHEN_USED).first() or {}
            changed = [field for field in self.FROZEN_WHEN_USED if stored.get(field) != getattr(self, field)]
            if changed:
                raise MethodologyInUseError(
                    f"Methodology v{self.version} already produced scores, so its {', '.join(changed)} cannot "
                    "change; publish a new version instead."
                )
        super().save(*args, **kwargs)


class ScoreRun(models.Model):
    """One recompute of scores: its trigger, scope, status, timing, counts and error."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        MANUAL = "manual", "Manual"
        NEW_DATA = "new_data", "New data"
        IMPORT = "import", "Import"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT, related_name="runs")
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    country_scope = models.JSONField(default=list, blank=True, help_text="ISO-3 codes; empty means all")
    since = models.DateField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    celery_task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    countries_count = models.PositiveIntegerField(default=0)
    observations_count = models.PositiveIntegerField(default=0)
    score_rows = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of the running worker")
    requeued = models.BooleanField(default=False, help_text="Re-queued once after its worker died")
    rerun_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["methodology", "started_at"], name="scorerun_methodology_started")]

    def __str__(self) -> str:
        return f"Run {self.pk} ({self.trigger}, {self.status})"


class Band(models.TextChoices):
    LOW = "low", BAND_LABELS["low"]
    MODERATE = "moderate", BAND_LABELS["moderate"]
    HIGH = "high", BAND_LABELS["high"]
    VERY_HIGH = "very_high", BAND_LABELS["very_high"]


class ConfidenceLevel(models.TextChoices):
    INSUFFICIENT = "insufficient", "Insufficient data"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class CountryScore(models.Model):
    """A country's scores for one month under one methodology version."""

    # Scores are derived data written in bulk by the scoring service from ids it has just read. Database-level
    # foreign keys would make PostgreSQL check every row at commit (about 20 s for a full run on a 2-core machine),
    # so they are left out (db_constraint=False); on_delete=PROTECT still guards deletes made through Django.
    # country and methodology need no index of their own: the unique constraint and the (methodology, month) index
    # lead with them, and every extra index slows the bulk writes of a score run.
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="scores", db_index=False, db_constraint=False
    )
    month = models.DateField(help_text="First day of the month")
    methodology = models.ForeignKey(
        Methodology, on_delete=models.PROTECT, related_name="country_scores", db_index=False, db_constraint=False
    )
    run = models.ForeignKey(ScoreRun, on_delete=models.PROTECT, related_name="country_scores", db_constraint=False)
    overall = models.FloatField(null=True)
    band = models.CharField(max_length=16, choices=Band.choices, blank=True)
    common = models.FloatField(null=True)
    genocide = models.FloatField(null=True)
    crimes_against_humanity = models.FloatField(null=True)
    war_crimes = models.FloatField(null=True)
    coverage = models.FloatField(default=0)
    change_3m = models.FloatField(null=True)
    change_12m = models.FloatField(null=True)
    # Methodology v2: how much evidence, and how recent, stands behind the overall score (0-100; null under v1), its
    # level (blank under v1; "insufficient" means the score is not banded) and the newest assessment that counts.
    data_confidence = models.FloatField(null=True)
    data_confidence_level = models.CharField(max_length=16, choices=ConfidenceLevel.choices, blank=True)
    latest_evidence_on = models.DateField(null=True)

    class Meta:
        ordering = ["country", "month"]
        constraints = [models.UniqueConstraint(fields=["country", "methodology", "month"], name="unique_country_score")]
        indexes = [models.Index(fields=["methodology", "month"])]

    def __str__(self) -> str:
        return f"{self.country_id} {self.month:%Y-%m} v{self.methodology_id}: {self.overall}"

    @property
    def insufficient_data(self) -> bool:
        """True when the score rests on less evidence than the methodology's minimum: it is shown, not banded."""
        return self.data_confidence_level == ConfidenceLevel.INSUFFICIENT

    @property
    def display_band(self) -> str:
        """The band a reader sees: "insufficient" instead of a band when the evidence is below the minimum."""
        return ConfidenceLevel.INSUFFICIENT.value if self.insufficient_data else self.band

    def new_data_within(self, months: int) -> bool:
        """Whether any assessment observed in the last `months` months (this month included) counts in the score;
        False means a change over that horizon comes only from ageing, not from new evidence. Scores made by a
        methodology without freshness tracking (v1) always answer True."""
        if self.latest_evidence_on is None:
            return self.data_confidence_level == ""
        months_back = (
            (self.month.year - self.latest_evidence_on.year) * 12 + self.month.month - self.latest_evidence_on.month
        )
        return months_back < months

    @property
    def new_data_3m(self) -> bool:
        return self.new_data_within(3)

    @property
    def new_data_12m(self) -> bool:
        return self.new_data_within(12)


class RiskFactorScore(models.Model):
    """One risk factor's score for a country and month under one methodology version."""

    # Only the unique constraint indexes this table (country first): a full run writes ~650,000 rows, and each
    # extra index roughly doubles that cost. Rows are read per country; runs and factors are never deleted.
    # No database-level foreign keys, for the reason given on CountryScore; PROTECT still applies in Django.
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="factor_scores", db_index=False, db_constraint=False
    )
    month = models.DateField()
    methodology = models.ForeignKey(
        Methodology, on_delete=models.PROTECT, related_name="factor_scores", db_index=False, db_constraint=False
    )
    run = models.ForeignKey(
        ScoreRun, on_delete=models.PROTECT, related_name="factor_scores", db_index=False, db_constraint=False
    )
    risk_factor = models.ForeignKey(
        RiskFactor, on_delete=models.PROTECT, related_name="scores", db_index=False, db_constraint=False
    )
    score = models.FloatField(null=True)
    coverage = models.FloatField(default=0)
    indicators_assessed = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["country", "month", "risk_factor"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "methodology", "month", "risk_factor"], name="unique_risk_factor_score"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.month:%Y-%m} factor {self.risk_factor_id}: {self.score}"


class UserViewState(models.Model):
    """What a user last chose on the pages they return to (filters per page) and when they last looked at the
    overview, so the overview can say what happened since their previous visit."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="view_state")
    filters = models.JSONField(default=dict, blank=True, help_text="Query string of the last filters, per page")
    last_seen_at = models.DateTimeField(null=True, blank=True, help_text="The latest view of the overview")
    previous_visit_at = models.DateTimeField(
        null=True, blank=True, help_text="The last view of the overview before the current visit began"
    )

    def __str__(self) -> str:
        return f"View state of {self.user}"
