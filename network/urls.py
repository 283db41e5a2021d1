from django.urls import path

from . import views

app_name = "network"

urlpatterns = [
    path("network/", views.insight, name="insight"),
    path("network/cycles/<int:pk>/consent/", views.consent_page, name="consent"),
    path("network/cycles/<int:pk>/consent/<slug:kind>/give/", views.consent_give, name="consent_give"),
    path("network/cycles/<int:pk>/consent/<slug:kind>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("network/aggregates/", views.secretariat_aggregates, name="aggregates"),
    path("network/aggregates.csv", views.aggregates_export, {"fmt": "csv"}, name="aggregates_csv"),
    path("network/aggregates.xlsx", views.aggregates_export, {"fmt": "xlsx"}, name="aggregates_xlsx"),
    path("network/shared/", views.shared_list, name="shared_list"),
    path("network/shared/<int:pk>/", views.shared_report, name="shared_report"),
]

urlpatterns += [
    path("network/library/", views.library, name="library"),
    path("network/library/new/", views.practice_create, name="practice_create"),
    path("network/library/moderation/", views.moderation, name="moderation"),
    path("network/library/<int:pk>/", views.practice_detail, name="practice_detail"),
    path("network/library/<int:pk>/edit/", views.practice_update, name="practice_update"),
    path("network/library/<int:pk>/submit/", views.practice_submit, name="practice_submit"),
    path("network/library/<int:pk>/publish/", views.practice_publish, name="practice_publish"),
    path("network/library/<int:pk>/return/", views.practice_return, name="practice_return"),
    path("network/countries/", views.countries, name="countries"),
    path("network/countries/new/", views.country_create, name="country_create"),
    path("network/countries/<int:pk>/", views.country_update, name="country_update"),
    path("network/countries/<int:pk>/invite/", views.coordinator_invite, name="coordinator_invite"),
    path(
        "network/countries/<int:pk>/invitations/<int:invitation_pk>/resend/",
        views.coordinator_invitation_resend,
        name="coordinator_invitation_resend",
    ),
    path("network/exchange/", views.exchange, name="exchange"),
    path("network/exchange/ask/", views.exchange_ask, name="exchange_ask"),
    path("network/exchange/<int:pk>/forward/", views.exchange_forward, name="exchange_forward"),
    path("network/exchange/replies/<int:pk>/<slug:answer>/", views.exchange_answer, name="exchange_answer"),
]
