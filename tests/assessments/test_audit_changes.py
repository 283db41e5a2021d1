"""Every coordinator change that alters a report leaves an entry in the country's audit trail."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import AuditEvent
from capabilities.models import Enabler, Sector

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


def recorded(cycle, action):
    return list(AuditEvent.objects.filter(cycle=cycle, action=action).values_list("detail", flat=True))


def test_each_change_a_coordinator_makes_to_a_cycle_is_recorded(client, coordinator, focal_point, cycle, submission):
    client.force_login(coordinator)
    enabler = Enabler.objects.filter(version=cycle.framework_version).first()
    target = cycle.targets.select_related("capability").first()
    draft = services.cycle_create(
        country=cycle.country,
        framework_version=cycle.framework_version,
        title="Next",
        period="2027",
        opens_on=cycle.opens_on,
        closes_on=cycle.closes_on,
        by=coordinator,
    )
    changes = [
        (
            "assessments:cycle_add_participant",
            [draft.pk],
            {"name": "Childhood First", "sector": Sector.objects.get(code="ngo").pk},
            draft,
            Action.PARTICIPANT_ADDED,
            "Childhood First",
        ),
        ("assessments:cycle_open", [draft.pk], {}, draft, Action.CYCLE_OPENED, ""),
        (
            "assessments:cycle_targets",
            [cycle.pk],
            {f"cap_{t.capability_id}": 4 if t == target else t.target_level for t in cycle.targets.all()},
            cycle,
            Action.TARGETS_CHANGED,
            f"capability {target.capability.number}: 3 → 4",
        ),
        (
            "reports:validated_level_set",
            [cycle.pk, 1],
            {"v1-level": "2", "v1-rationale": "Agreed."},
            cycle,
            Action.LEVEL_VALIDATED,
            "capability 1 = 2",
        ),
        (
            "reports:validated_level_set",
            [cycle.pk, 1],
            {"v1-level": "", "v1-rationale": ""},
            cycle,
            Action.LEVEL_CLEARED,
            "capability 1 (was 2)",
        ),
        (
            "reports:enabler_score_set",
            [cycle.pk, enabler.pk],
            {f"e{enabler.pk}-level": "1", f"e{enabler.pk}-rationale": "No budget."},
            cycle,
            Action.ENABLER_SCORED,
            f"{enabler.code} = 1",
        ),
        (
            "reports:enabler_score_set",
            [cycle.pk, enabler.pk],
            {f"e{enabler.pk}-level": "", f"e{enabler.pk}-rationale": ""},
            cycle,
            Action.ENABLER_SCORED,
            f"{enabler.code}: cleared",
        ),
        ("submit", None, None, cycle, Action.SUBMISSION_SUBMITTED, ""),
        (
            "assessments:submission_return",
            [submission.pk],
            {"reason": "Add the decree."},
            cycle,
            Action.SUBMISSION_RETURNED,
            "Add the decree.",
        ),
        ("submit", None, None, cycle, Action.SUBMISSION_SUBMITTED, ""),
        ("assessments:submission_accept", [submission.pk], {}, cycle, Action.SUBMISSION_ACCEPTED, ""),
        ("assessments:cycle_close", [cycle.pk], {}, cycle, Action.CYCLE_CLOSED, ""),
    ]

    for name, args, data, on, action, detail in changes:
        before = recorded(on, action)
        if name == "submit":
            submission.refresh_from_db()
            services.submission_submit(submission=submission, by=focal_point, confirm_unanswered=True)
        else:
            response = client.post(reverse(name, args=args), data)
            assert response.status_code == 302, (name, response)
        after = recorded(on, action)
        assert len(after) == len(before) + 1, (name, action)
        assert detail in after[0], (name, after[0])

    trail = client.get(reverse("assessments:audit_trail")).content.decode()
    for label in ("Changed target levels", "Cleared a validated national level", "Scored an enabler"):
        assert label in trail
    assert AuditEvent.objects.filter(action=Action.TARGETS_CHANGED, ip_address="127.0.0.1").exists()


def test_saving_targets_unchanged_records_nothing(client, coordinator, cycle):
    client.force_login(coordinator)

    client.post(
        reverse("assessments:cycle_targets", args=[cycle.pk]),
        {f"cap_{t.capability_id}": t.target_level for t in cycle.targets.all()},
    )

    assert not recorded(cycle, Action.TARGETS_CHANGED)
