from django.urls import path

from . import figure_views, views

app_name = "reports"

urlpatterns = [
    path("cycles/<int:pk>/analysis/", views.cycle_analysis, name="cycle_analysis"),
    path("cycles/<int:pk>/analysis/answers/<int:number>/", views.contested_answers, name="contested_answers"),
    path("cycles/<int:pk>/analysis/validate/<int:number>/", views.validated_level_set, name="validated_level_set"),
    path("cycles/<int:pk>/analysis/enablers/<int:enabler_pk>/", views.enabler_score_set, name="enabler_score_set"),
    path("cycles/<int:pk>/national-data/", figure_views.national_data, name="national_data"),
    path(
        "cycles/<int:pk>/national-data/<int:metric_pk>/",
        figure_views.national_figure_set,
        name="national_figure_set",
    ),
    path("cycles/<int:pk>/report/", views.report_page, name="report_page"),
    path("cycles/<int:pk>/report/generate/", views.report_generate, name="report_generate"),
    path("cycles/<int:pk>/export.xlsx", views.export_answers, {"fmt": "xlsx"}, name="export_xlsx"),
    path("cycles/<int:pk>/export.csv", views.export_answers, {"fmt": "csv"}, name="export_csv"),
    path("reports/<int:job_pk>/status/", views.report_job_status, name="report_job_status"),
    path("reports/<int:job_pk>/retry/", views.report_job_retry, name="report_job_retry"),
    path("reports/<int:job_pk>/download/", views.report_download, name="report_download"),
]
