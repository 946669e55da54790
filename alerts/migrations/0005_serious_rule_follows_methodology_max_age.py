"""Publish a new version of the serious-indicator rule without an age limit of its own.

Version 1 kept its own limit (1,095 days) beside the methodology's max_age_months (36 months), so an assessment the
score no longer counted could still raise an alert, or the reverse. The rule now follows the methodology. Earlier
versions stay stored as they were published; only the active one is replaced, keeping its factors and severity. An
age an administrator had set is dropped too: the audit entry names it, so the change is visible on the timeline.
Reversing publishes one more version with the age limit back, so the older code always finds the parameter.
"""

from django.db import migrations

KIND = "serious_specific_indicator"
OLD_DEFAULT_DESCRIPTION = (
    "Fires when the latest assessment of any indicator of risk factor 10 (intent to destroy a protected group) "
    "or risk factor 12 (signs of a plan or policy to attack a civilian population) is serious (severity 3) and "
    "was observed within the last three years."
)
DESCRIPTION = (
    "Fires when the latest assessment of any indicator of risk factor 10 (intent to destroy a protected group) "
    "or risk factor 12 (signs of a plan or policy to attack a civilian population) is serious (severity 3) and "
    "still counts in the score: no older than the scoring methodology's maximum age (36 months in version 1)."
)
LEGACY_MAX_AGE_DAYS = 1095
SUMMARY = (
    "Alert rule '{name}' version {version} published: it now follows the methodology's maximum age instead of its "
    "own limit of {days} days."
)
REVERSE_SUMMARY = "Alert rule '{name}' version {version} published: its own limit of {days} days is back."


def publish(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    AuditEvent = apps.get_model("alerts", "AuditEvent")
    active = AlertRule.objects.filter(kind=KIND, is_active=True).first()
    if active is None or "max_age_days" not in active.parameters:
        return
    parameters = {key: value for key, value in active.parameters.items() if key != "max_age_days"}
    description = DESCRIPTION if active.description == OLD_DEFAULT_DESCRIPTION else active.description
    latest = AlertRule.objects.filter(kind=KIND).order_by("-version").first().version
    AlertRule.objects.filter(pk=active.pk).update(is_active=False)
    rule = AlertRule.objects.create(
        kind=KIND, version=latest + 1, name=active.name, description=description, parameters=parameters
    )
    days = active.parameters["max_age_days"]
    AuditEvent.objects.create(
        kind="rule_published",
        summary=SUMMARY.format(name=rule.name, version=rule.version, days=days),
        details={"rule_id": rule.pk, "parameters": parameters, "dropped": {"max_age_days": days}},
    )


def unpublish(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    AuditEvent = apps.get_model("alerts", "AuditEvent")
    active = AlertRule.objects.filter(kind=KIND, is_active=True).first()
    if active is None or "max_age_days" in active.parameters:
        return
    parameters = {**active.parameters, "max_age_days": LEGACY_MAX_AGE_DAYS}
    description = OLD_DEFAULT_DESCRIPTION if active.description == DESCRIPTION else active.description
    latest = AlertRule.objects.filter(kind=KIND).order_by("-version").first().version
    AlertRule.objects.filter(pk=active.pk).update(is_active=False)
    rule = AlertRule.objects.create(
        kind=KIND, version=latest + 1, name=active.name, description=description, parameters=parameters
    )
    AuditEvent.objects.create(
        kind="rule_published",
        summary=REVERSE_SUMMARY.format(name=rule.name, version=rule.version, days=LEGACY_MAX_AGE_DAYS),
        details={"rule_id": rule.pk, "parameters": parameters},
    )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0004_default_trigger_event_rule")]

    operations = [migrations.RunPython(publish, unpublish)]
