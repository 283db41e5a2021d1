from django.urls import path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import figure_views, views

app_name = "api"


class Id:
    """An object id, as ``views.ID``: a longer number is no URL (404), not an overflow."""

    regex = views.ID

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(Id, "id")


class Year:
    """A figure's year: four digits (whether it may carry a figure is the service's to say)."""

    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


class MetricCode:
    """A metric's stable code, e.g. M01.1."""

    regex = "[A-Za-z0-9][A-Za-z0-9._-]{0,19}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


register_converter(Year, "year")
register_converter(MetricCode, "metric")

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
    path("submissions/<id:pk>/figures/", figure_views.SubmissionFiguresView.as_view(), name="submission-figures"),
    path(
        "submissions/<id:pk>/figures/<metric:metric>/<year:year>/",
        figure_views.SubmissionFigureView.as_view(),
        name="submission-figure",
    ),
    path(
        "cycles/<id:pk>/national-figures/",
        figure_views.CycleNationalFiguresView.as_view(),
        name="cycle-national-figures",
    ),
    path(
        "cycles/<id:pk>/national-figures/<metric:metric>/<year:year>/",
        figure_views.CycleNationalFigureView.as_view(),
        name="cycle-national-figure",
    ),
    path("schema/", SpectacularAPIView.as_view(**docs), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", **docs), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema", **docs), name="redoc"),
]
