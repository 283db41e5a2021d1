from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("questionnaires/<int:pk>/answers/<int:answer_pk>/evidence/", views.answer_evidence, name="answer_evidence"),
    path(
        "questionnaires/<int:pk>/answers/<int:answer_pk>/evidence/upload/",
        views.document_upload,
        name="document_upload",
    ),
    path(
        "questionnaires/<int:pk>/answers/<int:answer_pk>/evidence/attach/",
        views.document_attach,
        name="document_attach",
    ),
    path("questionnaires/<int:pk>/answers/<int:answer_pk>/evidence/link/", views.link_add, name="link_add"),
    path(
        "questionnaires/<int:pk>/evidence/<int:attachment_pk>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path(
        "questionnaires/<int:pk>/evidence/<int:attachment_pk>/review/",
        views.attachment_review,
        name="attachment_review",
    ),
    path("evidence/documents/<int:document_pk>/download/", views.document_download, name="document_download"),
    path("evidence/documents/<int:document_pk>/delete/", views.document_remove, name="document_remove"),
]
