"""The practice assessment framework, maintained by Locality's network admins."""

from django.urls import path

from principles.assessments import views

app_name = "framework"

urlpatterns = [
    path("", views.framework_index, name="index"),
    path("versions/<int:number>/", views.framework_version_view, name="version"),
    path("criteria/<int:pk>/", views.criterion_edit, name="criterion"),
    path("criteria/<int:pk>/remove/", views.criterion_remove_view, name="criterion-remove"),
    path("principles/<int:number>/add/", views.criterion_add_view, name="criterion-add"),
]
