"""E-mail notifications keep their HTML alternative; the audit trail's model now belongs to the core app.

The table alerts_auditevent and its rows stay exactly where they are (core.AuditEvent names it in db_table); this
migration only drops the model from the alerts app's state, and moves the admin's content type so the admin log
entries about audit events keep pointing at them.
"""

from django.db import migrations, models


def content_type_to_core(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="core", model="auditevent").exists():
        ContentType.objects.filter(app_label="alerts", model="auditevent").update(app_label="core")


def content_type_to_alerts(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="alerts", model="auditevent").exists():
        ContentType.objects.filter(app_label="core", model="auditevent").update(app_label="alerts")


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0005_serious_rule_follows_methodology_max_age"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_audit_trail_and_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="html_body",
            field=models.TextField(blank=True, help_text="HTML alternative of an email, rendered with the text"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_core, content_type_to_alerts),
    ]
