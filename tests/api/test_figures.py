"""Figures through the API: a questionnaire's reported figures (one, or a year's at once, all or nothing), the
coordinator's national figures, their ETags (412 when stale, 428 without a condition), and the audit trail.

Who gets what from each URL (404 across tenants) is the permission matrix's; the closed cycle's refusal is
tests/assessments/test_closed_cycle.py's. These tests show the content and the rules.
"""

import json

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import AuditEvent, MetricValue
from capabilities.models import Metric
from reports.models import NationalFigure
from tests.factories import api_token, bearer

pytestmark = pytest.mark.django_db


def send(client, method, url, raw, body=None, **headers):
    return client.generic(
        method, url, json.dumps(body or {}), content_type="application/json", **bearer(raw), **headers
    )


def figures_url(submission):
    return reverse("api:submission-figures", args=[submission.pk])


def figure_url(submission, code, year):
    return reverse("api:submission-figure", args=[submission.pk, code, year])


def national_url(cycle, code, year):
    return reverse("api:cycle-national-figure", args=[cycle.pk, code, year])


def a_years_figures(year=2025):
    return {
        "figures": [
            {"metric": "M01.1", "year": year, "value": "1250000", "source": "Budget law"},
            {"metric": "M01.2", "year": year, "value": "312", "source": "Case register"},
        ]
    }


def test_the_framework_tree_carries_each_capabilitys_metrics_in_the_requested_language(
    client, fp_token, tiny_framework
):
    Metric.objects.filter(version=tiny_framework, code="M01.2").update(name_fr="Affaires transmises")
    url = reverse("api:framework-version-detail", args=[tiny_framework.pk])

    body = client.get(url, HTTP_ACCEPT_LANGUAGE="fr", **bearer(fp_token[1])).json()

    first = next(c for c in body["capabilities"] if c["number"] == 1)
    assert [(m["code"], m["unit"], m["sectors"]) for m in first["metrics"]] == [
        ("M01.1", "currency", ["ministry"]),
        ("M01.2", "count", ["ministry", "ngo"]),
    ]
    assert first["metrics"][1]["name"] == "Affaires transmises"
    assert first["metrics"][0]["name"] == "Budget of the national body"  # no French: the English text
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en", **bearer(fp_token[1])).json()
    assert next(c for c in english["capabilities"] if c["number"] == 1)["metrics"][1]["name"] == "Cases referred"


def test_a_hotline_pushes_a_years_figures_at_once_and_the_write_names_the_token(client, fp_token, submission):
    token, raw = fp_token
    read = client.get(figures_url(submission), **bearer(raw))
    assert read.json() == {"etag": read["ETag"], "figures": []}

    response = send(client, "POST", figures_url(submission), raw, a_years_figures(), HTTP_IF_MATCH=read["ETag"])

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["changed"] == 2
    assert [(f["metric"], f["year"], f["value"]) for f in body["figures"]] == [
        ("M01.1", 2025, "1250000.00"),
        ("M01.2", 2025, "312.00"),
    ]
    assert response["ETag"] == body["etag"] != read["ETag"]
    reported = AuditEvent.objects.get(action=AuditEvent.Action.FIGURE_REPORTED)
    assert (reported.api_token, reported.user, reported.detail.split(":")[0]) == (token, token.user, "api")
    write = AuditEvent.objects.get(action=AuditEvent.Action.API_WRITE)
    assert (write.api_token, write.submission_id) == (token, submission.pk)
    # Sent again unchanged, nothing changes (and the ETag stays).
    again = send(client, "POST", figures_url(submission), raw, a_years_figures(), HTTP_IF_MATCH=body["etag"])
    assert (again.json()["changed"], again["ETag"]) == (0, body["etag"])


def test_a_bulk_write_with_problems_lists_every_one_and_saves_nothing(client, fp_token, submission):
    raw = fp_token[1]
    etag = client.get(figures_url(submission), **bearer(raw))["ETag"]
    body = {
        "figures": [
            {"metric": "M01.1", "year": 2025, "value": "1250000"},
            {"metric": "M01.2", "year": 2025, "value": "12.5"},  # a count is a whole number
            {"metric": "M04.1", "year": 2025, "value": "3"},  # not this sector's
            {"metric": "M01.1", "year": 2025, "value": "1"},  # the same figure twice
            {"metric": "M01.2", "year": 2024, "value": "4", "not_collected": True},
            {"metric": "M01.2", "year": 1990, "value": "4"},
        ]
    }

    response = send(client, "POST", figures_url(submission), raw, body, HTTP_IF_MATCH=etag)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert set(problem["errors"]) == {"figures[1]", "figures[2].metric", "figures[3]", "figures[4]", "figures[5]"}
    assert problem["errors"]["figures[1]"] == ["A count is a whole number."]
    assert problem["detail"] == "5 problems in the figures sent; nothing was saved."
    assert not MetricValue.objects.exists()


def test_a_bulk_write_with_a_malformed_field_names_its_position(client, fp_token, submission):
    raw = fp_token[1]
    etag = client.get(figures_url(submission), **bearer(raw))["ETag"]
    body = {"figures": [{"metric": "M01.1", "year": 2025, "value": "12"}, {"metric": "M01.2", "value": "x"}]}

    response = send(client, "POST", figures_url(submission), raw, body, HTTP_IF_MATCH=etag)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"figures[1].year", "figures[1].value"}
    assert not MetricValue.objects.exists()


def test_a_bulk_write_needs_the_sets_etag_and_a_stale_one_gets_the_current_figures(client, fp_token, submission):
    raw = fp_token[1]
    stale = client.get(figures_url(submission), **bearer(raw))["ETag"]
    assert send(client, "POST", figures_url(submission), raw, a_years_figures()).status_code == 428
    send(client, "POST", figures_url(submission), raw, a_years_figures(2024), HTTP_IF_MATCH=stale)

    response = send(client, "POST", figures_url(submission), raw, a_years_figures(), HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert [f["year"] for f in response.json()["figures"]] == [2024, 2024]
    assert MetricValue.objects.filter(year=2025).count() == 0


def test_one_figure_is_created_with_if_none_match_and_replaced_with_its_etag(client, fp_token, submission):
    raw = fp_token[1]
    url = figure_url(submission, "M01.2", 2025)
    assert client.get(url, **bearer(raw)).status_code == 404
    assert send(client, "PUT", url, raw, {"value": "300"}).status_code == 428

    created = send(client, "PUT", url, raw, {"value": "300", "source": "Register"}, HTTP_IF_NONE_MATCH="*")
    assert created.status_code == 200
    assert created.json()["value"] == "300.00" and created["ETag"] == created.json()["etag"]
    again = send(client, "PUT", url, raw, {"value": "301"}, HTTP_IF_NONE_MATCH="*")
    assert again.status_code == 412 and again.json()["value"] == "300.00"

    replaced = send(client, "PUT", url, raw, {"not_collected": True}, HTTP_IF_MATCH=created["ETag"])
    assert replaced.status_code == 200 and replaced.json()["not_collected"] is True
    stale = send(client, "PUT", url, raw, {"value": "5"}, HTTP_IF_MATCH=created["ETag"])
    assert stale.status_code == 412 and stale.json()["not_collected"] is True
    assert MetricValue.objects.get().not_collected


def test_a_bad_figure_is_a_problem_and_changes_nothing(client, fp_token, submission):
    raw = fp_token[1]

    count = send(client, "PUT", figure_url(submission, "M01.2", 2025), raw, {"value": "2.5"}, HTTP_IF_NONE_MATCH="*")
    empty = send(client, "PUT", figure_url(submission, "M01.2", 2025), raw, {}, HTTP_IF_NONE_MATCH="*")
    other_sector = send(client, "PUT", figure_url(submission, "M04.1", 2025), raw, {"value": "2"}, HTTP_IF_MATCH="*")

    assert (count.status_code, count.json()["detail"]) == (400, "A count is a whole number.")
    assert empty.status_code == 400 and "not collected" in empty.json()["detail"]
    assert other_sector.status_code == 404
    assert not MetricValue.objects.exists()


def test_a_figure_is_removed_with_its_etag(client, fp_token, submission):
    raw = fp_token[1]
    url = figure_url(submission, "M01.2", 2025)
    created = send(client, "PUT", url, raw, {"value": "300"}, HTTP_IF_NONE_MATCH="*")

    assert send(client, "DELETE", url, raw).status_code == 428
    assert send(client, "DELETE", url, raw, HTTP_IF_MATCH='"other"').status_code == 412
    assert send(client, "DELETE", url, raw, HTTP_IF_MATCH=created["ETag"]).status_code == 204
    assert not MetricValue.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.FIGURE_REMOVED, api_token=created.wsgi_request.auth)


def test_a_submitted_questionnaires_figures_are_refused(client, fp_token, focal_point, submission):
    raw = fp_token[1]
    etag = client.get(figures_url(submission), **bearer(raw))["ETag"]
    services.submission_submit(submission=submission, by=focal_point, confirm_unanswered=True)

    response = send(client, "POST", figures_url(submission), raw, a_years_figures(), HTTP_IF_MATCH=etag)

    assert response.status_code == 403 and "submitted" in response.json()["detail"]
    assert not MetricValue.objects.exists()


def test_a_coordinator_validates_a_national_figure_with_its_rationale(client, coordinator_token, cycle):
    token, raw = coordinator_token
    url = national_url(cycle, "M01.1", 2025)
    body = {"value": "1250000", "rationale": "Budget law 2025, art. 12."}

    created = send(client, "PUT", url, raw, body, HTTP_IF_NONE_MATCH="*")

    assert created.status_code == 200
    assert (created.json()["value"], created.json()["rationale"]) == ("1250000.00", "Budget law 2025, art. 12.")
    event = AuditEvent.objects.get(action=AuditEvent.Action.FIGURE_VALIDATED)
    assert (event.api_token, event.cycle_id) == (token, cycle.pk)
    listed = client.get(reverse("api:cycle-national-figures", args=[cycle.pk]), **bearer(raw)).json()
    assert [(f["metric"], f["year"], f["etag"]) for f in listed["results"]] == [("M01.1", 2025, created["ETag"])]
    stale = send(client, "PUT", url, raw, {**body, "value": "1"}, HTTP_IF_NONE_MATCH="*")
    assert stale.status_code == 412 and stale.json()["value"] == "1250000.00"
    no_rationale = send(client, "PUT", url, raw, {"value": "1"}, HTTP_IF_MATCH=created["ETag"])
    assert no_rationale.status_code == 400 and "rationale" in no_rationale.json()["errors"]
    no_value = send(client, "PUT", url, raw, {"rationale": "x"}, HTTP_IF_MATCH=created["ETag"])
    assert no_value.status_code == 400 and "value" in no_value.json()["errors"]
    assert send(client, "DELETE", url, raw, HTTP_IF_MATCH=created["ETag"]).status_code == 204
    assert not NationalFigure.objects.exists()


def test_an_observer_reads_national_figures_but_may_not_validate_them(client, observer, coordinator, cycle):
    NationalFigure.objects.create(
        cycle=cycle,
        metric=Metric.objects.get(version=cycle.framework_version, code="M01.1"),
        year=2024,
        value=90000,
        rationale="Budget law 2024.",
        set_by=coordinator,
    )
    raw = api_token(observer)[1]

    read = client.get(national_url(cycle, "M01.1", 2024), **bearer(raw))
    write = send(
        client, "PUT", national_url(cycle, "M01.1", 2024), raw, {"value": "1", "rationale": "x"}, HTTP_IF_MATCH="*"
    )

    assert read.status_code == 200 and read.json()["value"] == "90000.00"
    assert write.status_code == 403
    assert NationalFigure.objects.get().value == 90000


def test_a_closed_cycles_national_figures_are_final(client, coordinator_token, coordinator, cycle):
    services.cycle_close(cycle=cycle, by=coordinator)

    response = send(
        client,
        "PUT",
        national_url(cycle, "M01.1", 2025),
        coordinator_token[1],
        {"value": "1", "rationale": "Late."},
        HTTP_IF_NONE_MATCH="*",
    )

    assert response.status_code == 409 and "closed" in response.json()["detail"]
    assert not NationalFigure.objects.exists()
