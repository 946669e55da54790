from django.apps import AppConfig


class ForecastsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "forecasts"
    verbose_name = "Onset forecasts"

    def ready(self) -> None:
        from forecasts import registrations
        from forecasts.models import ForecastModel
        from indicators.data_version import data_version_source_register

        registrations.register()
        # Each training publishes a new model; the overview's forecast column, its CSV export and the country panel
        # show the newest, so a new model must change the data version behind their ETags.
        data_version_source_register(
            "forecast_model", lambda: ForecastModel.objects.order_by("-id"), time_field="created_at"
        )
