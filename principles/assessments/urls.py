from django.urls import path

from principles.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_index, name="index"),
    path("start/", views.assessment_start_view, name="start"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/answers/", views.answers_edit, name="answers"),
    path("<int:pk>/period/", views.assessment_period_edit, name="period"),
    path("<int:pk>/delete/", views.assessment_delete_view, name="delete"),
    path("<int:pk>/submit/", views.assessment_submit_view, name="submit"),
    path("<int:pk>/review/", views.assessment_review, name="review"),
    path("<int:pk>/results/", views.assessment_results_view, name="results"),
    path("<int:pk>/results/gaps/<int:answer_pk>/action/", views.gap_action, name="gap-action"),
    path("<int:pk>/report.pdf", views.assessment_pdf, name="pdf"),
    path("<int:pk>/answers.csv", views.assessment_csv, name="csv"),
    path("<int:pk>/peers/", views.peer_invite_view, name="invite"),
    path("<int:pk>/peers/<int:review_pk>/withdraw/", views.peer_withdraw_view, name="withdraw"),
    path("peer-reviews/<int:review_pk>/", views.peer_review, name="peer-review"),
]
