"""The onset-forecast rule kind, and version 1 of its rule published beside the rules of 0002 and 0004."""

from django.db import migrations, models

KIND = "onset_forecast"
NAME = "Onset forecast high or among the highest"
DESCRIPTION = (
    "Fires when a country's latest one-year onset probability (the chance that a new mass killing begins there "
    "this year, from the newest published forecast model) is 10% or more, or when the country ranks among the 10 "
    "countries with the highest probability. It is judged each time a forecast model is published, and resolves by "
    "itself once the newest model puts the country below the threshold and outside the top 10."
)
PARAMETERS = {"threshold_percent": 10, "top": 10}


def publish(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    if AlertRule.objects.filter(kind=KIND).exists():
        return  # an administrator already published a version of this rule
    AlertRule.objects.create(kind=KIND, version=1, name=NAME, description=DESCRIPTION, parameters=PARAMETERS)


def unpublish(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    AlertRule.objects.filter(kind=KIND, version=1, alerts__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('alerts', '0006_notification_html_body_audit_trail_to_core'),
    ]

    operations = [
        migrations.AlterField(
            model_name='alert',
            name='rule_kind',
            field=models.CharField(choices=[('band_reached', 'Band reaches high or very high'), ('sharp_rise', 'Sharp rise in the overall score'), ('serious_specific_indicator', 'Serious assessment of a specific-crime indicator'), ('stale_coverage', 'Coverage of a high-risk country going stale'), ('trigger_event', 'Trigger event recorded'), ('onset_forecast', 'Onset forecast high or among the highest')], max_length=40),
        ),
        migrations.AlterField(
            model_name='alertrule',
            name='kind',
            field=models.CharField(choices=[('band_reached', 'Band reaches high or very high'), ('sharp_rise', 'Sharp rise in the overall score'), ('serious_specific_indicator', 'Serious assessment of a specific-crime indicator'), ('stale_coverage', 'Coverage of a high-risk country going stale'), ('trigger_event', 'Trigger event recorded'), ('onset_forecast', 'Onset forecast high or among the highest')], max_length=40),
        ),
        migrations.RunPython(publish, unpublish),
    ]
