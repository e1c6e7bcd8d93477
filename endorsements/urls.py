from django.urls import path

from endorsements import views

app_name = "endorsements"

urlpatterns = [
    path("", views.index, name="index"),
    path("prepare/", views.prepare, name="prepare"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/send/", views.send, name="send"),
    path("<int:pk>/void/", views.void, name="void"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/document.pdf", views.document_pdf, name="document-pdf"),
    path("<int:pk>/signed.pdf", views.signed_pdf, name="signed-pdf"),
]
