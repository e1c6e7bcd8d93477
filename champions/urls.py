from django.urls import path

from champions import views

app_name = "champions"

urlpatterns = [
    path("champions/", views.champion_list, name="list"),
    path("champions/appoint/", views.champion_appoint_view, name="appoint"),
    path("champions/<int:pk>/end/", views.champion_end_view, name="end"),
    path("network/", views.peer_network, name="peers"),
    path("network/export.csv", views.peer_export, name="peers-export"),
    path("network/sharing/", views.sharing, name="sharing"),
]
