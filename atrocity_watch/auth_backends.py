from django.contrib.auth.backends import BaseBackend

from core.roles import can_administer


class AdministratorRoleBackend(BaseBackend):
    """Grants model permissions to members of the administrator group; per-model admin rules still apply."""

    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_active and can_administer(user_obj)

    def has_module_perms(self, user_obj, app_label):
        return user_obj.is_active and can_administer(user_obj)
