from django.urls import path

from . import figure_views, views

app_name = "assessments"

urlpatterns = [
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/new/", views.cycle_create, name="cycle_create"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/participants/", views.cycle_add_participant, name="cycle_add_participant"),
    path("cycles/<int:pk>/invite/", views.cycle_invite, name="cycle_invite"),
    path("cycles/<int:pk>/open/", views.cycle_open, name="cycle_open"),
    path("cycles/<int:pk>/close/", views.cycle_close, name="cycle_close"),
    path("cycles/<int:pk>/remind/", views.cycle_remind, name="cycle_remind"),
    path("cycles/<int:pk>/targets/", views.cycle_targets, name="cycle_targets"),
    path(
        "cycles/<int:pk>/organisations/import/",
        views.cycle_organisations_import,
        name="cycle_organisations_import",
    ),
    path(
        "cycles/<int:pk>/invitations/<int:invitation_pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path("invitations/<int:pk>/accept/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<int:pk>/decline/", views.invitation_decline, name="invitation_decline"),
    path("questionnaires/<int:pk>/", views.questionnaire, name="questionnaire"),
    path(
        "questionnaires/<int:pk>/capabilities/<int:number>/",
        views.questionnaire_capability,
        name="questionnaire_capability",
    ),
    path("questionnaires/<int:pk>/answers/<int:answer_pk>/", views.answer_update, name="answer_update"),
    path("questionnaires/<int:pk>/answers/<int:answer_pk>/confirm/", views.answer_confirm, name="answer_confirm"),
    path(
        "questionnaires/<int:pk>/capabilities/<int:number>/confirm/",
        views.answers_confirm_all,
        name="answers_confirm_all",
    ),
    path("questionnaires/<int:pk>/submit/", views.questionnaire_submit, name="questionnaire_submit"),
    path("questionnaires/<int:pk>/figures/", figure_views.submission_figures, name="submission_figures"),
    path(
        "questionnaires/<int:pk>/figures.xlsx", figure_views.submission_figures_workbook, name="submission_figures_xlsx"
    ),
    path(
        "questionnaires/<int:pk>/figures/upload/",
        figure_views.submission_figures_upload,
        name="submission_figures_upload",
    ),
    path(
        "questionnaires/<int:pk>/figures/<int:figure_pk>/delete/",
        figure_views.submission_figure_delete,
        name="submission_figure_delete",
    ),
    path("questionnaires/<int:pk>/return/", views.submission_return, name="submission_return"),
    path("questionnaires/<int:pk>/accept/", views.submission_accept, name="submission_accept"),
    path("questionnaires/<int:pk>/review/", views.submission_review, name="submission_review"),
    path(
        "questionnaires/<int:pk>/review/answers/<int:answer_pk>/comment/",
        views.review_comment_add,
        name="review_comment_add",
    ),
    path(
        "questionnaires/<int:pk>/review/comments/<int:comment_pk>/",
        views.review_comment_update,
        name="review_comment_update",
    ),
    path(
        "questionnaires/<int:pk>/review/comments/<int:comment_pk>/delete/",
        views.review_comment_delete,
        name="review_comment_delete",
    ),
    path("questionnaires/<int:pk>/history/", views.questionnaire_history, name="questionnaire_history"),
    path(
        "questionnaires/<int:pk>/workbook/",
        views.questionnaire_workbook_download,
        name="questionnaire_workbook_download",
    ),
    path(
        "questionnaires/<int:pk>/workbook/upload/",
        views.questionnaire_workbook_upload,
        name="questionnaire_workbook_upload",
    ),
    path("audit/", views.audit_trail, name="audit_trail"),
]
