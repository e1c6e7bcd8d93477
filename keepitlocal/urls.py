from django.contrib import admin
from django.urls import include, path

from champions.views import council_dashboard_view
from endorsements import views as endorsement_views
from keepitlocal import views

council_patterns = [
    # The overview is the council dashboard champions review (champions/).
    path("", council_dashboard_view, name="overview"),
    path("decision/", views.decision, name="decision"),
    path("decision/edit/", views.decision_edit, name="decision-edit"),
    path("principles/", include("principles.urls")),
    path("local-spend/", include("principles.spend.urls")),
    path("assessments/", include("principles.assessments.urls")),
    path("conversations/", views.conversation_list, name="conversations"),
    path("conversations/add/", views.conversation_add, name="conversation-add"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation"),
    path(
        "conversations/<int:pk>/outcomes/<int:outcome_pk>/action/",
        views.outcome_to_action,
        name="outcome-action",
    ),
    path("partners/", views.partner_list, name="partners"),
    path("endorsement/", include("endorsements.urls")),
    path("", include("champions.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("councils/", views.council_list, name="council-list"),
    path("verify/", endorsement_views.verify, name="verify"),
    path("councils/<slug:council_slug>/", include(council_patterns)),
    path("network/framework/", include("principles.assessments.framework_urls")),
    path("network/", include("champions.network_urls")),
    path("admin/", admin.site.urls),
]
