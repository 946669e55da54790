"""Publish and activate methodology version 3: v2 with two published changes, each one parameter.

1. Sources of one period weigh alike. Under v2 a source's weight in an indicator's fused severity halves every 12
   months of age, so when one annual dataset has published a year that another has not yet, the first outweighs the
   second two to one for it, and scores jump when the calendars of the publishers differ (Ethiopia's genocide score
   fell from 83 to 60 in December 2024 because the EWP/EPR discrimination share for 2024 outweighed V-Dem's 2023
   exclusion index). In v3 a source is weighed down only for being more than 12 months (one annual release cycle)
   older than the indicator's newest assessment.
2. Thin and stale is insufficient. A score whose data confidence is below the medium level and whose newest evidence
   is 24 months old or more (one freshness half-life: everything behind it counts for half or less) is "insufficient
   data", whatever its confidence number: thin evidence can stand for the present only while some of it is recent.

Version 2 stays stored, unchanged, for the scores it made. Reversing deactivates version 3 and activates the version
before it again.
"""

import copy
import importlib

from django.db import migrations
from django.utils import timezone

V2 = importlib.import_module("indicators.migrations.0010_score_data_confidence_and_methodology_v2")
V3_NAME = "Sources of one period weigh alike; thin and stale evidence is insufficient"
METHODOLOGY_V3 = copy.deepcopy(V2.METHODOLOGY_V2)
METHODOLOGY_V3["fusion"]["same_period_months"] = 12
METHODOLOGY_V3["data_confidence"]["stale_months"] = 24


V3_DESCRIPTION = (
    "As version 2, with two changes. (1) Sources of one period weigh alike: within an indicator, a source's "
    "assessment weighs its confidence (high 1.0, medium 0.75, low 0.5) times its source weight (an analyst's "
    "judgement 2, a dataset 1), and it is weighed down only for being more than 12 months older than the "
    "indicator's newest assessment from any source, halving every further 12 months; annual datasets published on "
    "different calendars therefore count alike for the years they both cover, and a score no longer jumps when one "
    "publishes a year before the others. Every source's latest assessment still counts only until it is 36 months "
    "old, and the indicator still counts in its risk factor with the weight of its strongest evidence (confidence "
    "times its age weight, halving every 12 months). (2) Thin and stale evidence is insufficient: a score whose "
    "data confidence is below the medium level (20) and whose newest evidence is 24 months old or more is shown as "
    "insufficient data, not banded, whatever its confidence; below 10 it is insufficient as in version 2."
)


def publish(apps, schema_editor):
    Methodology = apps.get_model("indicators", "Methodology")
    if Methodology.objects.filter(name=V3_NAME).exists():
        return
    latest = Methodology.objects.order_by("-version").values_list("version", flat=True).first() or 0
    Methodology.objects.filter(is_active=True).update(is_active=False)
    Methodology.objects.create(
        version=latest + 1,
        name=V3_NAME,
        description=V3_DESCRIPTION,
        parameters=METHODOLOGY_V3,
        is_active=True,
        published_at=timezone.now(),
    )


def deactivate(apps, schema_editor):
    Methodology = apps.get_model("indicators", "Methodology")
    version = Methodology.objects.filter(name=V3_NAME).first()
    if version is None or not version.is_active:
        return
    Methodology.objects.filter(pk=version.pk).update(is_active=False)
    previous = Methodology.objects.filter(version__lt=version.version).order_by("-version").first()
    if previous is not None:
        Methodology.objects.filter(pk=previous.pk).update(is_active=True)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0010_score_data_confidence_and_methodology_v2"),
    ]

    operations = [migrations.RunPython(publish, deactivate)]
