from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Reports to Parliament"

    def ready(self) -> None:
        from reports.registrations import register

        register()
