from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom floor: audit trail, outbox, append-only base, read-only admin, roles, months, bands and the
    extension points that higher apps fill."""

    name = "core"
    verbose_name = "Core"
    default_auto_field = "django.db.models.BigAutoField"
