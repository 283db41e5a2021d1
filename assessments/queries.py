"""Read-side shapes for questionnaire and cycle pages, each a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from capabilities.models import Capability
from capabilities.queries import framework_tree

from .models import Answer, Carry, Submission

# An answer counts once it has a choice and is not a carried answer awaiting confirmation.
COUNTED = ~Q(choice="") & ~Q(carry=Carry.PREFILLED)


@dataclass
class CapabilityProgress:
    capability: Capability
    total: int = 0
    answered: int = 0
    carried: int = 0  # carried from the last cycle, not confirmed (not counted as answered)

    @property
    def percent(self):
        return round(100 * self.answered / self.total) if self.total else 0


@dataclass
class DomainProgress:
    domain: object
    capabilities: list = field(default_factory=list)

    @property
    def total(self):
        return sum(c.total for c in self.capabilities)

    @property
    def answered(self):
        return sum(c.answered for c in self.capabilities)

    @property
    def percent(self):
        return round(100 * self.answered / self.total) if self.total else 0


@dataclass
class Progress:
    domains: list

    @property
    def total(self):
        return sum(d.total for d in self.domains)

    @property
    def answered(self):
        return sum(d.answered for d in self.domains)

    @property
    def carried(self):
        return sum(c.carried for d in self.domains for c in d.capabilities)

    @property
    def percent(self):
        return round(100 * self.answered / self.total) if self.total else 0

    def capabilities(self):
        return [c for d in self.domains for c in d.capabilities]


def submission_progress(submission, tree=None):
    """Progress per domain and capability, listing only capabilities the organisation is asked.

    1 query (answers counted per capability); the capabilities come from the version's cached tree.
    ``submission.cycle.framework_version`` must be loaded.
    """
    tree = tree or framework_tree(submission.cycle.framework_version)
    counts = {
        row["indicator__capability_id"]: row
        for row in submission.answers.values("indicator__capability_id").annotate(
            total=Count("id"),
            answered=Count("id", filter=COUNTED),
            carried=Count("id", filter=Q(carry=Carry.PREFILLED)),
        )
    }
    domains = {}
    for cap in tree.capabilities:
        row = counts.get(cap.pk)
        if row is None:
            continue
        group = domains.setdefault(cap.domain_id, DomainProgress(cap.domain))
        group.capabilities.append(CapabilityProgress(cap, row["total"], row["answered"], row["carried"]))
    ordered = sorted(domains.values(), key=lambda d: (d.domain.order, d.domain.code))
    return Progress(ordered)


def with_progress(submissions):
    """Annotate answered/total counts and the last answer time (no extra query)."""
    return submissions.annotate(
        n_total=Count("answers"),
        n_answered=Count("answers", filter=~Q(answers__choice="") & ~Q(answers__carry=Carry.PREFILLED)),
        n_carried=Count("answers", filter=Q(answers__carry=Carry.PREFILLED)),
        last_answer_at=Max("answers__updated_at"),
    )


def cycle_submissions(cycle):
    """The cycle's submissions with % answered and last activity, one row per organisation (1 query)."""
    return with_progress(
        Submission.objects.filter(cycle=cycle).select_related("organisation__sector").order_by("organisation__name")
    )


def unanswered_answers(submission):
    return (
        Answer.objects.filter(submission=submission, choice="")
        .select_related("indicator__capability")
        .order_by("indicator__capability__number", "indicator__order")
    )


def unconfirmed_answers(submission):
    """The answers carried from the last cycle that nobody confirmed yet, in questionnaire order."""
    return (
        Answer.objects.filter(submission=submission, carry=Carry.PREFILLED)
        .select_related("indicator__capability")
        .order_by("indicator__capability__number", "indicator__order")
    )


@dataclass
class Contact:
    """A focal point of an organisation, or a person invited to become one, as the cycle page lists them.

    ``state``: ``invited`` (new account, has not logged in yet), ``pending`` (existing account, has not
    answered), ``active`` (holds the role and has logged in), ``declined``.
    """

    user: object
    email: str
    state: str
    invitation: object = None
    can_resend: bool = False

    @property
    def last_active(self):
        return self.user.last_login


def organisation_contacts(organisation_ids):
    """organisation id → its contacts, focal points first, then open and declined invitations (2 queries)."""
    from .models import Invitation, Role, RoleAssignment

    organisation_ids = list(organisation_ids)
    latest = {}
    for invitation in (
        Invitation.objects.filter(organisation_id__in=organisation_ids).select_related("user").order_by("created_at")
    ):
        latest[(invitation.organisation_id, invitation.user_id)] = invitation
    contacts = {}
    holders = set()
    for role in (
        RoleAssignment.objects.filter(role=Role.FOCAL_POINT, organisation_id__in=organisation_ids)
        .select_related("user")
        .order_by("user__email")
    ):
        holders.add((role.organisation_id, role.user_id))
        invitation = latest.get((role.organisation_id, role.user_id))
        never_in = role.user.last_login is None
        contacts.setdefault(role.organisation_id, []).append(
            Contact(
                user=role.user,
                email=role.user.email,
                state="invited" if never_in else "active",
                invitation=invitation,
                can_resend=never_in and invitation is not None and invitation.created_account,
            )
        )
    for (organisation_id, user_id), invitation in sorted(latest.items(), key=lambda item: item[1].email):
        if (organisation_id, user_id) in holders or invitation.status == Invitation.Status.ACCEPTED:
            continue
        pending = invitation.status == Invitation.Status.PENDING
        contacts.setdefault(organisation_id, []).append(
            Contact(
                user=invitation.user,
                email=invitation.email,
                state="pending" if pending else "declined",
                invitation=invitation,
                can_resend=pending,
            )
        )
    return contacts
