from django.contrib.admin import AdminSite

from atrocity_watch.forms import AdminLoginForm
from core.roles import can_administer


class AtrocityWatchAdminSite(AdminSite):
    """The admin is for administrators only, whatever a user's is_staff flag says."""

    site_header = "Atrocity Watch administration"
    site_title = "Atrocity Watch admin"
    index_title = "Reference data, users and methodology"
    login_form = AdminLoginForm

    def has_permission(self, request):
        return request.user.is_active and request.user.is_staff and can_administer(request.user)
