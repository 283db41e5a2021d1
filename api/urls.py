from django.urls import path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"


class Id:
    """An object id, as ``views.ID``: a longer number is no URL (404), not an overflow."""

    regex = views.ID

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(Id, "id")

router = SimpleRouter()
router.register("framework-versions", views.FrameworkVersionViewSet, basename="framework-version")
router.register("crosswalks", views.CrosswalkViewSet, basename="crosswalk")
router.register("cycles", views.CycleViewSet, basename="cycle")
router.register("submissions", views.SubmissionViewSet, basename="submission")
router.register("report-jobs", views.ReportJobViewSet, basename="report-job")
router.register("actions", views.ActionViewSet, basename="action")

# The schema and its readers need no token: they describe the API, they hold no data.
docs = {"authentication_classes": [], "permission_classes": [], "throttle_classes": []}

urlpatterns = [
    *router.urls,
    path("cycles/<id:pk>/organisations/", views.CycleOrganisationsView.as_view(), name="cycle-organisations"),
    path("cycles/<id:pk>/submissions/", views.CycleSubmissionsView.as_view(), name="cycle-submissions"),
    path("cycles/<id:pk>/report-jobs/", views.CycleReportJobsView.as_view(), name="cycle-report-jobs"),
    path("submissions/<id:pk>/answers/", views.SubmissionAnswersView.as_view(), name="submission-answers"),
    path("submissions/<id:pk>/answers/<id:answer_pk>/", views.AnswerView.as_view(), name="answer-detail"),
    path("schema/", SpectacularAPIView.as_view(**docs), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", **docs), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema", **docs), name="redoc"),
]
