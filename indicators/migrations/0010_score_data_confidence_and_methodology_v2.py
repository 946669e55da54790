"""Scores carry their data confidence and latest evidence date; publish and activate methodology version 2.

Version 2 combines every source's latest assessment of an indicator (version 1 let only the latest one count, so the
import order decided between sources assessed on the same date) and adds a data confidence with a minimum below
which a country is "insufficient data", not banded. Version 1 stays stored, unchanged, for the scores it made.
Reversing deactivates version 2 and activates version 1 again (a published version is never deleted once used).
"""

from django.db import migrations, models
from django.utils import timezone

V2_NAME = "Evidence fusion and data confidence"
METHODOLOGY_V2 = {
    "confidence_weights": {"high": 1.0, "medium": 0.75, "low": 0.5},
    "half_life_months": 12,
    "max_age_months": 36,
    "band_thresholds": {"moderate": 25, "high": 50, "very_high": 75},
    "factor_weights": {str(number): 1.0 for number in range(1, 15)},
    "common_factors": [1, 2, 3, 4, 5, 6, 7, 8],
    "crime_groups": {
        "genocide": [9, 10],
        "crimes_against_humanity": [11, 12],
        "war_crimes": [13, 14],
    },
    "crime_group_formula": "mean_of_common_and_specific",
    "overall_formula": "max_crime_group",
    "fusion": {
        "rule": "source_weighted_mean",
        "source_weights": {"analyst": 2.0},
        "default_source_weight": 1.0,
        "factor_weighting": "evidence",
    },
    "data_confidence": {
        "indicators_per_factor": 3,
        "freshness_half_life_months": 24,
        "disagreement_discount": 0.5,
        "minimum": 10,
        "medium": 20,
        "high": 40,
    },
}
V2_DESCRIPTION = (
    "For each indicator, every source's latest assessment on or before the month counts (each dataset is one "
    "source; analysts' own judgements are one more). Each weighs its confidence (high 1.0, medium 0.75, low 0.5) "
    "times its age weight (halving every 12 months; older than 36 months it no longer counts); an analyst's "
    "judgement counts twice. The indicator's severity is the weighted mean of its sources' severities, so no import "
    "order or recording order between sources changes a score. Within its risk factor the indicator counts with the "
    "weight of its strongest evidence, as in version 1; each factor then counts in its crime group in proportion to "
    "how much current evidence establishes it, and a crime group weighs its common and specific parts the same way. "
    "The overall score is the highest crime-group score, banded as in version 1. Data confidence (0-100) says how "
    "much evidence, how fresh and how undisputed, stands behind the overall score; below 10 the country is shown as "
    "insufficient data, not banded."
)


def publish(apps, schema_editor):
    Methodology = apps.get_model("indicators", "Methodology")
    if Methodology.objects.filter(name=V2_NAME).exists():
        return
    latest = Methodology.objects.order_by("-version").values_list("version", flat=True).first() or 0
    Methodology.objects.filter(is_active=True).update(is_active=False)
    Methodology.objects.create(
        version=latest + 1,
        name=V2_NAME,
        description=V2_DESCRIPTION,
        parameters=METHODOLOGY_V2,
        is_active=True,
        published_at=timezone.now(),
    )


def deactivate(apps, schema_editor):
    Methodology = apps.get_model("indicators", "Methodology")
    version = Methodology.objects.filter(name=V2_NAME).first()
    if version is None or not version.is_active:
        return
    Methodology.objects.filter(pk=version.pk).update(is_active=False)
    previous = Methodology.objects.filter(version__lt=version.version).order_by("-version").first()
    if previous is not None:
        Methodology.objects.filter(pk=previous.pk).update(is_active=True)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0009_user_view_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="countryscore",
            name="data_confidence_level",
            field=models.CharField(
                blank=True,
                choices=[
                    ("insufficient", "Insufficient data"),
                    ("low", "Low"),
                    ("medium", "Medium"),
                    ("high", "High"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddField(model_name="countryscore", name="data_confidence", field=models.FloatField(null=True)),
        migrations.AddField(model_name="countryscore", name="latest_evidence_on", field=models.DateField(null=True)),
        migrations.RunPython(publish, deactivate),
    ]
