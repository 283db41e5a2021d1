"""The demo data of `make run`: rich enough to try every journey, and safe to run twice."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from assessments.models import Answer, Country, Cycle, Organisation, ReviewComment, RoleAssignment, Submission

pytestmark = pytest.mark.django_db


def seed(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return [
        m.objects.count() for m in (Country, Organisation, RoleAssignment, Cycle, Submission, Answer, ReviewComment)
    ]


def test_seed_demo_builds_a_country_to_try_every_journey_and_running_it_twice_duplicates_nothing(framework, settings):
    output = seed(settings)
    first = counts()
    seed(settings)

    assert counts() == first
    assert Organisation.objects.count() >= 8
    assert Organisation.objects.values("sector").distinct().count() >= 8
    open_cycle = Cycle.objects.get(status=Cycle.Status.OPEN)
    statuses = set(open_cycle.submissions.values_list("status", flat=True))
    assert {"draft", "submitted", "accepted", "returned"} <= statuses
    returned = open_cycle.submissions.get(status="returned")
    comments = ReviewComment.objects.filter(answer__submission=returned)
    assert sorted(comments.values_list("answer__indicator__code", flat=True)) == ["C09.2", "C09.3"]
    assert set(comments.values_list("sent_at", flat=True)) == {returned.reviewed_at}
    assert Cycle.objects.filter(status=Cycle.Status.CLOSED).exists()  # progress since the previous cycle
    for login in ("admin", "coordinator", "observer", "fp.police", "fp.police2"):
        assert login in output
    assert "demo-mnr-2026" in output


def test_seed_demo_refuses_to_run_in_production(framework, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG=1"):
        call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.real_2fa
def test_the_demo_coordinator_passes_two_step_verification_with_the_printed_code(framework, settings, client):
    seed(settings)
    client.post(reverse("login"), {"username": "coordinator", "password": "demo-mnr-2026"})
    out = io.StringIO()
    call_command("demo_code", "coordinator", stdout=out)

    response = client.post(reverse("two_factor:verify"), {"code": out.getvalue().strip()})

    assert response.status_code == 302
    assert client.get(reverse("assessments:cycle_list")).status_code == 200


@pytest.fixture
def both_versions(framework):
    """MNR-2016, its 2025 reference edition and the crosswalk between them, as `make run` loads them."""
    call_command("load_framework", "fixtures/mnr-2016-r2025.yaml", stdout=io.StringIO())
    call_command("load_crosswalk", "fixtures/crosswalk-mnr-2016-to-r2025.yaml", stdout=io.StringIO())


def test_the_open_cycle_runs_on_the_2025_edition_with_answers_carried_from_2024_partly_confirmed(
    both_versions, settings
):
    from assessments.models import AnswerRevision, Carry
    from reports.consolidation import cycle_report_data

    seed(settings)

    earlier = Cycle.objects.get(title="National MNR self-assessment 2024")
    current = Cycle.objects.select_related("country", "framework_version").get(status=Cycle.Status.OPEN)
    assert (earlier.framework_version.code, current.framework_version.code) == ("MNR-2016", "MNR-2016-R2025")
    carries = set(Answer.objects.filter(submission__cycle=current).values_list("carry", flat=True))
    assert {Carry.PREFILLED, Carry.SUGGESTED, Carry.CONFIRMED} <= carries
    assert AnswerRevision.objects.filter(answer__submission__cycle=current, source="confirmed").exists()
    press = current.submissions.get(organisation__name="National Press Council")
    assert not press.answers.filter(carry=Carry.CONFIRMED).exists()  # nothing confirmed there yet

    data = cycle_report_data(current)
    assert data["previous_cycle"]["other_version"] is True
    assert any(c["previous"] is not None and c["compared"] for c in data["capabilities"])
    assert any(o["included"] and o["carried_unconfirmed"] for o in data["organisations"])


def test_the_demo_cycles_report_page_offers_a_ready_public_word_summary(framework, settings, client):
    from reports.models import ReportJob

    seed(settings)
    seed(settings)

    job = ReportJob.objects.get(variant=ReportJob.Variant.PUBLIC)
    assert (job.status, job.format, job.cycle.status) == ("done", "docx", Cycle.Status.OPEN)
    assert job.data["public_sections"] == ["profile", "priorities", "method"]
    client.force_login(get_user_model().objects.get(username="coordinator"))
    page = client.get(reverse("reports:report_page", args=[job.cycle_id])).content.decode()
    assert "Download public summary (Word)" in page and 'name="variant" value="public"' in page
