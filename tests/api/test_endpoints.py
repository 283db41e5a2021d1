"""The API's endpoints: what each returns to whom, answers with If-Match, progress, pagination and problems.

Who gets what from every URL (404 across tenants) is the permission matrix's
(tests/assessments/test_permissions.py); these tests show the content.
"""

import pytest
from django.urls import reverse

from assessments.models import AuditEvent, Cycle
from capabilities.models import Capability
from tests.factories import bearer

pytestmark = pytest.mark.django_db


def answer_url(answer):
    return reverse("api:answer-detail", args=[answer.submission_id, answer.pk])


def test_a_framework_version_comes_with_its_tree_and_tags_in_the_requested_language(client, fp_token, tiny_framework):
    from capabilities.models import Domain

    domain = Domain.objects.filter(version=tiny_framework).first()
    Domain.objects.filter(pk=domain.pk).update(name_fr="Politique et gouvernance")
    url = reverse("api:framework-version-detail", args=[tiny_framework.pk])

    body = client.get(url, HTTP_ACCEPT_LANGUAGE="fr", **bearer(fp_token[1])).json()

    assert body["code"] == tiny_framework.code
    assert [c["number"] for c in body["capabilities"]] == sorted(c["number"] for c in body["capabilities"])
    assert body["capabilities"][0]["indicators"][0]["code"] == "C01.1"
    assert {d["code"]: d["name"] for d in body["domains"]}[domain.code] == "Politique et gouvernance"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en", **bearer(fp_token[1])).json()
    assert {d["code"]: d["name"] for d in english["domains"]}[domain.code] == domain.name


def test_cycles_are_those_the_person_sees_and_filter_by_status(client, fp_token, cycle, cycle_b):
    body = client.get(reverse("api:cycle-list"), **bearer(fp_token[1])).json()
    assert [c["id"] for c in body["results"]] == [cycle.pk]
    assert body["count"] == 1

    closed = client.get(reverse("api:cycle-list"), {"status": "closed"}, **bearer(fp_token[1])).json()
    assert closed["results"] == []


def test_a_coordinator_reads_the_cycles_questionnaires_with_progress(client, coordinator_token, cycle, submission):
    body = client.get(reverse("api:cycle-submissions", args=[cycle.pk]), **bearer(coordinator_token[1])).json()

    (row,) = body["results"]
    assert row["id"] == submission.pk and row["organisation"]["name"] == "Ministry of Interior"
    assert (row["answers_total"], row["answers_counted"], row["percent"]) == (3, 0, 0)


def test_a_coordinators_read_of_answers_is_audited_with_the_token(client, coordinator_token, submission):
    token, raw = coordinator_token

    response = client.get(reverse("api:submission-answers", args=[submission.pk]), **bearer(raw))

    assert response.status_code == 200
    assert [a["indicator"] for a in response.json()["results"]] == ["C01.1", "C01.2", "C03.1"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.SUBMISSION_VIEWED)
    assert (event.user, event.api_token, event.submission_id) == (token.user, token, submission.pk)


def test_an_answer_carries_its_version_as_etag(client, fp_token, answer):
    response = client.get(answer_url(answer), **bearer(fp_token[1]))

    assert response.status_code == 200
    assert response["ETag"] == '"0"'
    assert response.json()["indicator"] == "C01.1"


def test_a_focal_point_saves_an_answer_with_if_match_and_the_write_is_audited_with_the_token(client, fp_token, answer):
    token, raw = fp_token

    response = client.put(
        answer_url(answer),
        {"choice": "2", "evidence": "Decree 12/2024.", "comment": ""},
        content_type="application/json",
        HTTP_IF_MATCH='"0"',
        **bearer(raw),
    )

    assert response.status_code == 200, response.content
    assert response["ETag"] == '"1"' and response.json()["choice"] == "2"
    answer.refresh_from_db()
    assert (answer.choice, answer.version, answer.updated_by) == ("2", 1, token.user)
    assert answer.revisions.get().changed_by == token.user
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_WRITE)
    assert event.api_token == token and "C01.1 v1" in event.detail


def test_a_stale_if_match_gets_412_with_the_current_answer(client, fp_token, second_focal_point, answer):
    from assessments import services

    services.answer_save(
        answer=answer, choice="3", evidence="Law 4.", comment="", base_version=0, by=second_focal_point
    )

    response = client.put(
        answer_url(answer), {"choice": "1"}, content_type="application/json", HTTP_IF_MATCH='"0"', **bearer(fp_token[1])
    )

    assert response.status_code == 412
    assert response["ETag"] == '"1"'
    assert (response.json()["choice"], response.json()["evidence"]) == ("3", "Law 4.")
    answer.refresh_from_db()
    assert (answer.choice, answer.version) == ("3", 1)


def test_a_write_without_if_match_gets_428_and_changes_nothing(client, fp_token, answer):
    response = client.put(answer_url(answer), {"choice": "1"}, content_type="application/json", **bearer(fp_token[1]))

    assert response.status_code == 428
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 428 and "If-Match" in response.json()["detail"]
    answer.refresh_from_db()
    assert answer.version == 0


def test_the_services_rules_apply_levels_three_and_four_need_evidence(client, fp_token, answer):
    response = client.put(
        answer_url(answer), {"choice": "4"}, content_type="application/json", HTTP_IF_MATCH='"0"', **bearer(fp_token[1])
    )

    assert response.status_code == 400
    problem = response.json()
    assert problem["title"] == "Bad Request" and problem["errors"]
    answer.refresh_from_db()
    assert answer.version == 0


def test_a_closed_cycle_refuses_an_answer(client, fp_token, coordinator, cycle, answer):
    from assessments import services

    services.cycle_close(cycle=cycle, by=coordinator)

    response = client.put(
        answer_url(answer), {"choice": "1"}, content_type="application/json", HTTP_IF_MATCH='"0"', **bearer(fp_token[1])
    )

    assert response.status_code == 403
    assert "closed" in response.json()["detail"]
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.CLOSED
    answer.refresh_from_db()
    assert answer.version == 0


def test_invalid_input_is_a_problem_naming_the_field(client, fp_token, answer):
    response = client.put(
        answer_url(answer), {"choice": "7"}, content_type="application/json", HTTP_IF_MATCH='"0"', **bearer(fp_token[1])
    )

    assert response.status_code == 400
    assert "choice" in response.json()["errors"]


@pytest.fixture
def plan_action(cycle, coordinator, submission):
    from decimal import Decimal

    from plans import services as plan_services

    plan = plan_services.plan_create(cycle=cycle, currency="EUR", by=coordinator)
    return plan_services.action_create(
        plan=plan,
        by=coordinator,
        title="Fund the council",
        capability=Capability.objects.get(version=cycle.framework_version, number=1),
        estimated_cost=Decimal("1000.00"),
        lead_organisation=submission.organisation,
    )


def test_the_lead_organisations_focal_point_reports_progress(client, fp_token, plan_action):
    token, raw = fp_token
    url = reverse("api:action-progress", args=[plan_action.pk])

    response = client.post(
        url,
        {"status": "in_progress", "progress": 30, "note": "Budget filed."},
        content_type="application/json",
        **bearer(raw),
    )

    assert response.status_code == 201, response.content
    plan_action.refresh_from_db()
    assert (plan_action.status, plan_action.progress) == ("in_progress", 30)
    assert AuditEvent.objects.get(action=AuditEvent.Action.API_WRITE).api_token == token
    plan = client.get(reverse("api:cycle-plan", args=[plan_action.plan.cycle_id]), **bearer(raw)).json()
    assert plan["actions"][0]["latest"]["note"] == "Budget filed."


def test_a_report_jobs_frozen_numbers_are_the_coordinators(client, coordinator_token, fp_token, cycle):
    from reports.models import ReportJob

    job = ReportJob.objects.create(cycle=cycle, requested_by=coordinator_token[0].user, data={"national": {"C01": 2}})

    response = client.get(reverse("api:report-job-detail", args=[job.pk]), **bearer(coordinator_token[1]))

    assert response.status_code == 200 and response.json()["data"] == {"national": {"C01": 2}}
    assert client.get(reverse("api:report-job-detail", args=[job.pk]), **bearer(fp_token[1])).status_code == 403


def test_the_docs_are_served_by_the_app_without_a_cdn(client):
    for name in ("api:docs", "api:redoc"):
        body = client.get(reverse(name)).content.decode()
        assert "https://" not in body and "/static/drf_spectacular_sidecar/" in body, name
        assert "<script>" not in body, "an inline script would break the Content-Security-Policy"
    assert client.get(reverse("api:schema")).status_code == 200
