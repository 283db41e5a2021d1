from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("cycles/<int:pk>/plan/", views.plan_page, name="plan_page"),
    path("cycles/<int:pk>/plan/start/", views.plan_create, name="plan_create"),
    path("cycles/<int:pk>/plan/actions/new/", views.action_create, name="action_create"),
    path("cycles/<int:pk>/plan/suggestions/accept/", views.suggestion_accept, name="suggestion_accept"),
    path("cycles/<int:pk>/plan/suggestions/ignore/", views.suggestion_dismiss, name="suggestion_dismiss"),
    path("cycles/<int:pk>/plan/suggestions/restore/", views.suggestion_restore, name="suggestion_restore"),
    path("cycles/<int:pk>/plan/carry-over/", views.actions_carry_over, name="actions_carry_over"),
    path("cycles/<int:pk>/plan/endorse/", views.plan_endorse, name="plan_endorse"),
    path("cycles/<int:pk>/plan/revisions/<int:number>/", views.plan_revision, name="plan_revision"),
    path("cycles/<int:pk>/plan/export.xlsx", views.plan_export, name="plan_export"),
    path("cycles/<int:pk>/plan/pdf/", views.plan_pdf_generate, name="plan_pdf_generate"),
    path("plan-jobs/<int:job_pk>/status/", views.plan_job_status, name="plan_job_status"),
    path("plan-jobs/<int:job_pk>/download/", views.plan_pdf_download, name="plan_pdf_download"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", views.action_update, name="action_update"),
    path("actions/<int:pk>/row/", views.action_row, name="action_row"),
    path("actions/<int:pk>/delete/", views.action_delete, name="action_delete"),
    path("actions/<int:pk>/funding/", views.funding_add, name="funding_add"),
    path("actions/<int:pk>/funding/<int:funding_pk>/delete/", views.funding_delete, name="funding_delete"),
    path("actions/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("actions/<int:pk>/progress/", views.progress_post, name="progress_post"),
]
