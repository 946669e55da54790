from django.apps import AppConfig


class NetworksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "networks"
    verbose_name = "Actor networks"

    def ready(self) -> None:
        from indicators.data_version import data_version_source_register
        from networks import receivers  # noqa: F401  (connects the signal receivers)
        from networks.models import ActorVersion, RelationshipVersion
        from networks.registrations import register

        register()
        # Actors and relationships are append-only versions (an edit, a withdrawal, an import adds one): the newest of
        # each versions the country page's network card, kept with the other pieces built from the data.
        data_version_source_register(
            "network_actor", lambda: ActorVersion.objects.order_by("-id"), time_field="recorded_at"
        )
        data_version_source_register(
            "network_relationship", lambda: RelationshipVersion.objects.order_by("-id"), time_field="recorded_at"
        )
