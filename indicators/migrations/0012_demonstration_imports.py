"""Mark demonstration imports, so the first real import retires them (demonstration data never mixes with real data).

Databases seeded before this change hold seed_demo's fictional network as an ordinary `ftm` import and its invented
assessments with no import at all; both are marked here: the network's import by its file name, the assessments by
what only seed_demo wrote (a demo analyst's account, one of its invented sources and evidence phrases, no import),
gathered under one demonstration import. Their observations are not touched. Where real data was already imported
beside them, run `manage.py recompute_scores` once: the stored scores were computed with the invented rows.
"""

from django.db import migrations, models
from django.utils import timezone

# What seed_demo wrote before demonstration imports (indicators/demo.py and networks/demo.py at the time).
DEMO_NETWORK_FILE_NAME = "fictional-demo-network.ftm.json"
DEMO_AUTHORS = ("analyst", "analyst_asia")
DEMO_SOURCES = (
    "Embassy reporting",
    "OHCHR update",
    "ACLED weekly review",
    "NGO partner brief",
    "Desk open-source review",
)
DEMO_EVIDENCE = (
    "Reports from UN field presence and partner NGOs",
    "Embassy reporting corroborated by open-source monitoring",
    "Human rights monitoring mission findings",
    "Local civil society contacts; not yet independently verified",
    "Satellite imagery analysis and displacement figures",
)


def mark_demonstration_data(apps, schema_editor):
    DatasetImport = apps.get_model("indicators", "DatasetImport")
    Assessment = apps.get_model("indicators", "Assessment")
    DatasetImport.objects.filter(source="ftm", file_name=DEMO_NETWORK_FILE_NAME).update(demonstration=True)
    legacy = Assessment.objects.filter(
        dataset_import__isnull=True,
        author__username__in=DEMO_AUTHORS,
        source__in=DEMO_SOURCES,
        evidence__in=DEMO_EVIDENCE,
    )
    count = legacy.count()
    if not count:
        return
    now = timezone.now()
    demo = DatasetImport.objects.create(
        source="demo",
        file_name="seed_demo (invented demonstration assessments)",
        checksum="seed_demo-before-demonstration-imports",
        status="succeeded",
        demonstration=True,
        rows_read=count,
        rows_created=count,
        progress=100,
        error_summary=f"{count} invented demonstration assessments recorded earlier by seed_demo; real data retires them",
        started_at=now,
        finished_at=now,
    )
    legacy.update(dataset_import=demo)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0011_methodology_v3_same_period_sources_and_stale_evidence"),
    ]

    operations = [
        migrations.AddField(
            model_name="datasetimport",
            name="demonstration",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Invented demonstration data (seed_demo); it stops counting once real data is imported",
            ),
        ),
        migrations.RunPython(mark_demonstration_data, migrations.RunPython.noop),
    ]
