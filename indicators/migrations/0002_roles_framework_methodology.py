"""Create the four role groups, load the UN Framework of Analysis (2014) and publish methodology version 1."""

from pathlib import Path

from django.db import migrations

FRAMEWORK_CSV = Path(__file__).resolve().parent.parent / "reference" / "un_foa_2014.csv"
ROLES = ("analyst", "focal_point", "viewer", "administrator")

METHODOLOGY_V1 = {
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
}

METHODOLOGY_V1_DESCRIPTION = (
    "For each indicator, the latest assessment on or before the month counts, weighted by confidence "
    "(high 1.0, medium 0.75, low 0.5) and by age (its weight halves every 12 months; older than 36 months "
    "counts as not assessed). A risk factor's score is 100 times the weighted mean of severity / 3 over its "
    "assessed indicators, and its coverage is the share of its indicators assessed. The common score is the "
    "mean of factors 1-8. Each crime group's score is the mean of the common score and the mean of its two "
    "specific factors. The overall score is the highest crime-group score. Bands: below 25 low, 25-50 "
    "moderate, 50-75 high, 75 and above very high."
)


def load(apps, schema_editor):
    from indicators.framework import framework_records_read

    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)

    FrameworkVersion = apps.get_model("indicators", "FrameworkVersion")
    RiskFactor = apps.get_model("indicators", "RiskFactor")
    Indicator = apps.get_model("indicators", "Indicator")
    framework = FrameworkVersion.objects.create(
        code="UN-FoA-2014",
        title="UN Framework of Analysis for Atrocity Crimes (2014)",
        is_active=True,
        published_on="2014-10-01",
        notes="Loaded from the project's reference list (142 indicators).",
    )
    factors = {}
    for record in framework_records_read(FRAMEWORK_CSV):
        factor = factors.get(record.risk_factor)
        if factor is None:
            factor = RiskFactor.objects.create(
                framework=framework,
                number=record.risk_factor,
                name=record.risk_factor_name,
                crime_group=record.crime_group,
            )
            factors[record.risk_factor] = factor
        Indicator.objects.create(
            framework=framework,
            risk_factor=factor,
            code=record.code,
            position=record.position,
            short_title=record.short_title,
            wording_status=record.wording_status,
        )

    Methodology = apps.get_model("indicators", "Methodology")
    from django.utils import timezone

    Methodology.objects.create(
        version=1,
        name="Default weighted-severity method",
        description=METHODOLOGY_V1_DESCRIPTION,
        parameters=METHODOLOGY_V1,
        is_active=True,
        published_at=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
