from django.urls import path

from principles import views

app_name = "principles"

urlpatterns = [
    path("", views.principle_index, name="list"),
    path("<int:number>/", views.principle_detail, name="detail"),
]
