"""Outcomes (EWP mass-killing onsets), structural predictors, versioned forecast models and their forecasts.

Outcome and StructuralRecord keep every row an import wrote; `is_current` marks the rows of the newest import of
their source for that year, so a newer edition replaces the years it covers while the older rows still say which
import said what.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from indicators.models import Country, DatasetImport


class Outcome(models.Model):
    """What the Early Warning Project's base data says happened in one country in one year."""

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="outcomes")
    year = models.PositiveSmallIntegerField()
    onset = models.BooleanField(help_text="A new mass-killing episode began this year (mk_onset).")
    ongoing = models.BooleanField(help_text="A mass-killing episode was under way this year (mk_ongoing).")
    onset_count = models.PositiveSmallIntegerField(default=0, help_text="New episodes this year (mk_onset_count).")
    episodes = models.CharField(max_length=200, blank=True, help_text="EWP episode codes (mk_ongoing_code).")
    dataset_import = models.ForeignKey(DatasetImport, on_delete=models.PROTECT, related_name="outcomes")
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["country", "year"]
        constraints = [
            models.UniqueConstraint(fields=["dataset_import", "country", "year"], name="unique_outcome_per_import"),
            models.UniqueConstraint(
                fields=["country", "year"], condition=Q(is_current=True), name="one_current_outcome"
            ),
        ]
        indexes = [models.Index(fields=["is_current", "year"])]

    def __str__(self) -> str:
        return f"{self.country_id} {self.year}: onset={self.onset} ongoing={self.ongoing}"


class StructuralRecord(models.Model):
    """One source's structural predictors of one country-year, under the documented variable names."""

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="structural_records")
    year = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=40)
    values = models.JSONField(help_text="{variable: number}; a missing value is left out, never stored as zero.")
    dataset_import = models.ForeignKey(DatasetImport, on_delete=models.PROTECT, related_name="structural_records")
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["country", "year", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset_import", "country", "year"], name="unique_structural_record_per_import"
            ),
            models.UniqueConstraint(
                fields=["source", "country", "year"], condition=Q(is_current=True), name="one_current_structural"
            ),
        ]
        indexes = [models.Index(fields=["is_current", "source", "year"])]

    def __str__(self) -> str:
        return f"{self.source} {self.country_id} {self.year}"


class ForecastRun(models.Model):
    """One training of the forecast model (with its backtest): trigger, status, timing and error."""

    class Trigger(models.TextChoices):
        MANUAL = "manual", "Manual"
        IMPORT = "import", "Outcomes imported"
        SCHEDULE = "schedule", "Yearly schedule"
        RERUN = "rerun", "Again, after a worker died"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of the running worker")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Forecast run {self.pk} ({self.trigger}, {self.status})"


class ForecastModel(models.Model):
    """A trained, versioned forecast model: its features, training years, coefficients or importances per horizon,
    the backtest that judged it and the run that made it. The newest published version is the one users see."""

    version = models.PositiveIntegerField(unique=True)
    run = models.OneToOneField(ForecastRun, on_delete=models.PROTECT, related_name="model")
    created_at = models.DateTimeField(auto_now_add=True)
    features = models.JSONField(help_text="Feature names, in order, with their source and meaning.")
    training_first_year = models.PositiveSmallIntegerField()
    trained_through = models.PositiveSmallIntegerField(help_text="Last outcome year used in training.")
    forecast_year = models.PositiveSmallIntegerField(help_text="The year T of the published forecasts.")
    data_year = models.PositiveSmallIntegerField(help_text="Features are dated up to the end of this year (T-1).")
    horizons = models.JSONField(help_text="Per horizon: algorithm, penalty, coefficients or importances, calibration.")
    backtest = models.JSONField(default=dict, help_text="Rolling-origin backtest figures and calibration bins.")
    seed = models.PositiveIntegerField(default=0)
    library_versions = models.JSONField(default=dict)
    is_published = models.BooleanField(default=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Forecast model v{self.version} (through {self.trained_through}, for {self.forecast_year})"


class Forecast(models.Model):
    """One country's forecast from one model: probabilities of an onset in T (one year) and in T or T+1 (two)."""

    model = models.ForeignKey(ForecastModel, on_delete=models.PROTECT, related_name="forecasts")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="forecasts")
    year = models.PositiveSmallIntegerField(help_text="The year T forecast (data up to the end of T-1).")
    probability_1y = models.FloatField()
    probability_2y = models.FloatField()
    rank_1y = models.PositiveSmallIntegerField()
    rank_2y = models.PositiveSmallIntegerField()
    countries_ranked = models.PositiveSmallIntegerField()
    drivers = models.JSONField(default=list, help_text="The main drivers with their direction, largest first.")
    missing_features = models.JSONField(default=list, help_text="Features without a value, filled as documented.")

    class Meta:
        ordering = ["rank_1y"]
        constraints = [models.UniqueConstraint(fields=["model", "country"], name="one_forecast_per_model_country")]
        indexes = [models.Index(fields=["country", "year"])]

    def __str__(self) -> str:
        return f"{self.country_id} {self.year}: {self.probability_1y:.3f} / {self.probability_2y:.3f}"
