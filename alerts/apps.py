from django.apps import AppConfig


class AlertsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alerts"
    verbose_name = "Alerts and escalations"

    def ready(self) -> None:
        from alerts import receivers  # noqa: F401  (connects the signal receivers)
        from alerts.registrations import register
        from core.models import AuditEvent
        from indicators.data_version import data_version_source_register

        # Every alert and escalation change writes an audit event, so the newest one versions the counts, badges and
        # timelines that pages and API answers show beside the scores.
        data_version_source_register("audit", lambda: AuditEvent.objects.order_by("-id"), time_field="occurred_at")
        register()
