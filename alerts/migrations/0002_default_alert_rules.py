"""Publish version 1 of the four default alert rules."""

from django.db import migrations

RULES = [
    (
        "band_reached",
        "Band reaches high or very high",
        "Fires when a country's latest overall score falls in the high band (50 to 75) or the very high band "
        "(75 and above).",
        {"bands": ["high", "very_high"]},
    ),
    (
        "sharp_rise",
        "Sharp rise within three months",
        "Fires when a country's latest overall score is 15 points or more above its lowest overall score in the "
        "three months before.",
        {"points": 15, "months": 3},
    ),
    (
        "serious_specific_indicator",
        "Serious assessment of a genocide or crimes-against-humanity indicator",
        "Fires when the latest assessment of any indicator of risk factor 10 (intent to destroy a protected group) "
        "or risk factor 12 (signs of a plan or policy to attack a civilian population) is serious (severity 3) and "
        "was observed within the last three years.",
        {"factors": [10, 12], "severity": 3, "max_age_days": 1095},
    ),
    (
        "stale_coverage",
        "Coverage of a high-risk country going stale",
        "Fires when a country in the high or very high band has had no new assessment for more than 180 days, so "
        "its score rests on ageing evidence.",
        {"bands": ["high", "very_high"], "max_age_days": 180},
    ),
]


def publish(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    for kind, name, description, parameters in RULES:
        AlertRule.objects.get_or_create(
            kind=kind,
            version=1,
            defaults={"name": name, "description": description, "parameters": parameters, "is_active": True},
        )


def unpublish(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    AlertRule.objects.filter(version=1, kind__in=[rule[0] for rule in RULES], alerts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_alert_rules_alerts_escalations_audit")]

    operations = [migrations.RunPython(publish, unpublish)]
