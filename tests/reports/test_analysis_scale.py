"""The analysis page, its per-capability answers, the audit trail and the export at 5 and at 50 organisations.

Every organisation answers every indicator of the tiny framework, alternately 0 and 4, so every
capability is contested: the page that used to print each organisation's answers on each contested
capability now prints one link per capability, and the answers come one capability at a time.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from assessments import services
from assessments.models import Answer, AnswerRevision, Cycle
from reports.exports import answer_rows
from tests.factories import FocalPointRoleFactory, OrganisationFactory, SectorFactory, make_cycle

pytestmark = pytest.mark.django_db
SECTORS = ["ministry", "law_enforcement", "ngo"]
QUERIES = {"analysis": 24, "fragment": 7, "audit": 11}  # analysis: 2 for the tags (version_tags)


def national_cycle(*, country, framework, coordinator, n, saves=1, prefix="Organisation"):
    """A cycle of ``n`` submitted questionnaires, each answer saved ``saves`` times (the history grows)."""
    organisations = [
        OrganisationFactory(country=country, name=f"{prefix} {i:02}", sector=SectorFactory(code=SECTORS[i % 3]))
        for i in range(n)
    ]
    roles = [FocalPointRoleFactory(organisation=o) for o in organisations]
    cycle = make_cycle(country=country, framework_version=framework, organisations=organisations, by=coordinator)
    for i, (role, submission) in enumerate(zip(roles, cycle.submissions.order_by("organisation__name"), strict=True)):
        for answer in submission.answers.select_related("submission__cycle"):
            for save in range(saves):
                choice = "4" if (i + save) % 2 else "0"
                if save == saves - 1:
                    choice = "4" if i % 2 else "0"
                evidence = f"Evidence of {submission.organisation.name}." if choice == "4" else ""
                services.answer_save(
                    answer=answer,
                    choice=choice,
                    evidence=evidence,
                    comment="",
                    base_version=answer.version,
                    by=role.user,
                )
        services.submission_submit(submission=submission, by=role.user, confirm_unanswered=True)
    return cycle


@pytest.fixture(params=[5, 50], ids=["5 organisations", "50 organisations"])
def sized_cycle(request, tiny_framework, country_a, coordinator):
    return national_cycle(country=country_a, framework=tiny_framework, coordinator=coordinator, n=request.param)


def test_the_analysis_page_takes_the_same_queries_at_5_and_50_organisations(
    client, coordinator, sized_cycle, django_assert_num_queries
):
    client.force_login(coordinator)
    url = reverse("reports:cycle_analysis", args=[sized_cycle.pk])
    client.get(url)  # warms the framework tree cache, as any page of a running server has
    # 1 session, 2 user, 3 second-factor device, 4 the cycle, 5 roles; the report data: 6 levels,
    # 7 domains, 8 capabilities, 9 indicators, 10 descriptors, 11 targets, 12 validated levels,
    # 13 sectors, 14 submissions, 15 answers, 16 previous cycle, 17 enabler scores, 18 enablers;
    # the forms: 19 validated levels, 20 capabilities, 21 enabler scores, 22 enablers.
    with django_assert_num_queries(QUERIES["analysis"]):
        body = client.get(url).content.decode()
    # No organisation's answers on the page itself: one link per contested capability.
    assert "Organisation 01" not in body
    for number in (1, 3, 4):
        assert reverse("reports:contested_answers", args=[sized_cycle.pk, number]) in body


def test_one_capabilitys_answers_take_the_same_queries_at_5_and_50_organisations(
    client, coordinator, sized_cycle, django_assert_num_queries
):
    client.force_login(coordinator)
    url = reverse("reports:contested_answers", args=[sized_cycle.pk, 3])
    # 1 session, 2 user, 3 second-factor device, 4 the cycle, 5 roles, 6 the capability,
    # 7 its answers with organisations and sectors.
    with django_assert_num_queries(QUERIES["fragment"]):
        fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    organisations = sized_cycle.submissions.count()
    assert fragment.count('class="card h-100"') == organisations
    assert "Evidence of Organisation 01." in fragment
    assert "<html" not in fragment


def test_the_answers_export_takes_one_query_whatever_the_size_and_language(sized_cycle, django_assert_num_queries):
    with translation.override("fr"), django_assert_num_queries(1):
        rows = list(answer_rows(sized_cycle))
    assert len(rows) == Answer.objects.filter(submission__cycle=sized_cycle).count()


def test_the_answers_export_keeps_the_english_text_where_a_translation_is_missing(sized_cycle):
    with translation.override("ar"):
        first = next(answer_rows(sized_cycle))
    assert first[0] == "Organisation 00" and first[5].startswith("C01")
    assert first[6]  # the question, in English when the framework has no Arabic text


def test_the_audit_trail_takes_the_same_queries_as_the_history_grows(
    client, coordinator, tiny_framework, country_a, django_assert_num_queries
):
    client.force_login(coordinator)
    url = reverse("assessments:audit_trail")
    national_cycle(country=country_a, framework=tiny_framework, coordinator=coordinator, n=5)
    client.get(url)
    history = AnswerRevision.objects.filter(country=country_a).count()
    with django_assert_num_queries(QUERIES["audit"]) as small:
        client.get(url)
    Cycle.objects.update(status=Cycle.Status.CLOSED)
    national_cycle(country=country_a, framework=tiny_framework, coordinator=coordinator, n=50, saves=3, prefix="Agency")
    assert AnswerRevision.objects.filter(country=country_a).count() > 30 * history
    # 1 session, 2 user, 3 second-factor device, 4 roles, 5 the country, 6 role holders, 7 audit events,
    # 8 logins, 9 failed logins, 10 the newest revisions (from their index), 11 the country list.
    with django_assert_num_queries(QUERIES["audit"]) as large:
        body = client.get(url).content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)
    assert "Changed an answer" in body


def test_a_revision_carries_the_country_of_its_answer(tiny_framework, country_a, coordinator):
    cycle = national_cycle(country=country_a, framework=tiny_framework, coordinator=coordinator, n=1)
    assert set(AnswerRevision.objects.filter(answer__submission__cycle=cycle).values_list("country", flat=True)) == {
        country_a.pk
    }


def test_without_javascript_one_capabilitys_answers_are_a_page_of_their_own(client, coordinator, seeded_cycle):
    client.force_login(coordinator)

    response = client.get(reverse("reports:contested_answers", args=[seeded_cycle.pk, 3]))

    body = response.content.decode()
    assert response.status_code == 200 and "<html" in body
    assert '<h1 class="h2">3. Legislation</h1>' in body
    assert "Penal code art. 201 covers grooming since 2021." in body
    assert reverse("reports:cycle_analysis", args=[seeded_cycle.pk]) + "#contested-3" in body


def test_a_capability_outside_the_cycles_framework_is_not_found(client, coordinator, seeded_cycle):
    client.force_login(coordinator)

    assert client.get(reverse("reports:contested_answers", args=[seeded_cycle.pk, 99])).status_code == 404
