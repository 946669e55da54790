"""Publish version 1 of the trigger-event alert rule, alongside the four default rules of 0002."""

from django.db import migrations

KIND = "trigger_event"
NAME = "Trigger event recorded"
DESCRIPTION = (
    "Fires when a trigger event is recorded for a country: a finding by the ICJ or another court, a commission of "
    "inquiry or fact-finding mission, or a notification by the UN Special Advisers on the Prevention of Genocide "
    "and the Responsibility to Protect, dated within the last year. Each new event can raise a new alert once the "
    "previous one has been handled."
)
PARAMETERS = {"kinds": ["court_finding", "commission_of_inquiry", "un_special_advisers"], "max_age_days": 365}


def publish(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    if AlertRule.objects.filter(kind=KIND).exists():
        return  # an administrator already published a version of this rule
    AlertRule.objects.create(kind=KIND, version=1, name=NAME, description=DESCRIPTION, parameters=PARAMETERS)


def unpublish(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    AlertRule.objects.filter(kind=KIND, version=1, alerts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0003_trigger_event_rule_kind_resolved_alerts_action_owner_accounts")]

    operations = [migrations.RunPython(publish, unpublish)]
