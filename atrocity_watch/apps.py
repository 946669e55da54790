from django.contrib.admin.apps import AdminConfig


class AtrocityWatchAdminConfig(AdminConfig):
    default_site = "atrocity_watch.admin_site.AtrocityWatchAdminSite"
