from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AtrocityWatchConfig(AppConfig):
    """The project app itself: API tokens and the shared API infrastructure."""

    default = True
    name = "atrocity_watch"
    verbose_name = "Atrocity Watch"

    def ready(self) -> None:
        from atrocity_watch import identity  # noqa: F401  (connects the receivers that keep cached identities fresh)


class AtrocityWatchAdminConfig(admin_apps.AdminConfig):
    # Not the default config of this module: it is installed explicitly in place of django.contrib.admin.
    default = False
    default_site = "atrocity_watch.admin_site.AtrocityWatchAdminSite"
