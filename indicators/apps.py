from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = "Indicators and scores"

    def ready(self):
        from indicators import receivers  # noqa: F401  (connects the score-recompute receivers)
