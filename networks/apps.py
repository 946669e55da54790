from django.apps import AppConfig


class NetworksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "networks"
    verbose_name = "Actor networks"

    def ready(self) -> None:
        from networks import receivers  # noqa: F401  (connects the signal receivers)
        from networks.registrations import register

        register()
