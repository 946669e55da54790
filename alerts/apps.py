from django.apps import AppConfig


class AlertsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alerts"
    verbose_name = "Alerts and escalations"

    def ready(self) -> None:
        from alerts import receivers  # noqa: F401  (connects the signal receivers)
