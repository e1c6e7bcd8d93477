from django.urls import path

from principles.spend import views

app_name = "spend"

urlpatterns = [
    path("", views.local_spend, name="index"),
    path("settings/", views.settings_edit, name="settings"),
    path("periods/add/", views.period_add, name="period-add"),
    path("periods/<int:pk>/", views.period_edit, name="period-edit"),
    path("files/", views.import_list, name="imports"),
    path("files/add/", views.import_upload, name="import-add"),
    path("files/<int:pk>/", views.import_preview, name="import"),
    path("files/<int:pk>/columns/", views.import_columns, name="import-columns"),
    path("files/<int:pk>/undo/", views.import_undo, name="import-undo"),
    path("suppliers/", views.supplier_list, name="suppliers"),
    path("suppliers.csv", views.supplier_export, name="suppliers-export"),
    path("suppliers/update/", views.supplier_file_upload, name="suppliers-update"),
    path("suppliers/<int:pk>/", views.supplier_edit, name="supplier"),
]
