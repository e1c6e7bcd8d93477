"""The Django admin site, for Locality's network admins only."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class NetworkAdminSite(admin.AdminSite):
    site_header = "Keep it Local administration"
    site_title = "Keep it Local administration"

    def has_permission(self, request) -> bool:
        """Staff status alone is not enough: council staff never reach the admin."""
        user = request.user
        return user.is_active and user.is_staff and user.is_network_admin


class KeepItLocalAdminConfig(AdminConfig):
    """The Django admin with ``NetworkAdminSite`` as its site."""

    default_site = "keepitlocal.admin_site.NetworkAdminSite"
