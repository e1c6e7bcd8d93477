from django.contrib import admin
from django.urls import include, path

from keepitlocal import views

council_patterns = [
    path("", views.overview, name="overview"),
    path("decision/", views.decision, name="decision"),
    path("decision/edit/", views.decision_edit, name="decision-edit"),
    path("principles/", include("principles.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("councils/", views.council_list, name="council-list"),
    path("councils/<slug:council_slug>/", include(council_patterns)),
    path("admin/", admin.site.urls),
]
