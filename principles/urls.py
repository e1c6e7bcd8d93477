from django.urls import path

from principles import views

app_name = "principles"

urlpatterns = [
    path("", views.principle_index, name="list"),
    path("export.csv", views.progress_export, name="export"),
    path("<int:number>/", views.principle_detail, name="detail"),
    path("<int:number>/progress/", views.progress_edit, name="progress-edit"),
    path("<int:number>/actions/add/", views.action_add, name="action-add"),
    path("<int:number>/actions/<int:pk>/", views.action_edit, name="action-edit"),
    path("<int:number>/actions/<int:pk>/remove/", views.action_delete, name="action-remove"),
    path("<int:number>/evidence/add/", views.evidence_create, name="evidence-add"),
    path("<int:number>/evidence/<int:pk>/", views.evidence_edit, name="evidence-edit"),
    path("<int:number>/evidence/<int:pk>/remove/", views.evidence_delete, name="evidence-remove"),
    path("<int:number>/evidence/<int:pk>/file/", views.evidence_file, name="evidence-file"),
]
