"""The network dashboard for Locality's network admins: every member council, outside any one."""

from django.urls import path

from champions import views

app_name = "network"

urlpatterns = [
    path("", views.network_dashboard, name="dashboard"),
    path("export.csv", views.network_export, name="export"),
]
