"""Answers carried forward from the country's previous cycle, and their confirmation.

See docs/methodology.md, "Answers carried forward". In short: when a cycle opens (or an organisation
joins an open cycle), each answer of an organisation that took part in the country's previous cycle
starts from its answer there, mapped indicator by indicator (same version: by code; another version:
through the crosswalk between the two versions).

- ``equal``: level and evidence are set (``Carry.PREFILLED``), and the answer is not counted
  anywhere until someone confirms or changes it.
- ``subset``, ``superset``, ``split``, ``merged``: the indicator asks something else than before, so
  the previous answer is shown as a suggestion only (``Carry.SUGGESTED``); the answer stays empty.
  A merged indicator is suggested the lowest level of the indicators merged into it (a combined
  arrangement is no more mature than its weakest part), with all their evidence.
- ``new``, ``removed``, or an indicator the crosswalk does not map: nothing is carried.
"""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from capabilities.crosswalks import indicator_links
from capabilities.models import CrosswalkEntry

from . import services
from .models import Answer, AnswerRevision, AuditEvent, Carry, Cycle, Submission

PREFILL_RELATIONS = {CrosswalkEntry.Relation.EQUAL}
SUGGEST_RELATIONS = {
    CrosswalkEntry.Relation.SUBSET,
    CrosswalkEntry.Relation.SUPERSET,
    CrosswalkEntry.Relation.SPLIT,
    CrosswalkEntry.Relation.MERGED,
}
# The questionnaires whose answers the previous report counted: only these are carried.
CARRIED_FROM_STATUSES = (Submission.Status.SUBMITTED, Submission.Status.ACCEPTED)


def previous_cycle(cycle):
    """The country's latest cycle that opened before this one (any framework version), or None (1 query)."""
    return (
        Cycle.objects.filter(country_id=cycle.country_id, opens_on__lt=cycle.opens_on)
        .exclude(pk=cycle.pk)
        .exclude(status=Cycle.Status.DRAFT)  # never opened: no answers
        .select_related("framework_version")
        .order_by("-opens_on", "-pk")
        .first()
    )


def by_target(links):
    """``capabilities.crosswalks``' ``{source: [(target, relation)]}`` turned round: ``{target: [(source,
    relation)]}`` for the relations that carry something (``removed`` maps nothing; ``new`` has no source).
    None stays None (no crosswalk between the versions)."""
    if links is None:
        return None
    targets = {}
    for source, pairs in links.items():
        for target, relation in pairs:
            if relation in PREFILL_RELATIONS | SUGGEST_RELATIONS:
                targets.setdefault(target, []).append((source, relation))
    return targets


def _carried(sources):
    """The carry for one target answer from its ``[(relation, previous answer row)]``."""
    relations = {relation for relation, _row in sources}
    if relations <= PREFILL_RELATIONS and len(sources) == 1:
        row = sources[0][1]
        return Carry.PREFILLED, CrosswalkEntry.Relation.EQUAL, row
    relation = sorted(relations - PREFILL_RELATIONS)[0] if relations - PREFILL_RELATIONS else relations.pop()
    with_level = [row for _relation, row in sources if row["choice"].isdigit()]
    row = dict(min(with_level, key=lambda r: int(r["choice"])) if with_level else sources[0][1])
    if len(sources) > 1:
        rows = sorted((r for _relation, r in sources), key=lambda r: r["code"])
        row["evidence"] = "\n\n".join(f"{r['code']}: {r['evidence']}" for r in rows if r["evidence"])
    return Carry.SUGGESTED, relation, row


def answers_carry_forward(*, cycle, submissions, by) -> dict:
    """Pre-fill the empty answers of ``submissions`` from the country's previous cycle (9 queries at most).

    1. Find the previous cycle and, per organisation, its questionnaire there if the previous report
       counted it (submitted or accepted).
    2. Map indicators: by code in the same version, else through the crosswalk (none: nothing carried).
    3. Carry each previous answer that had an answer and was not itself an unconfirmed carry.
    4. Only answers never saved (version 0, empty) change: safe to repeat. A pre-filled answer gets a
       revision (source: carried) so the history says where its level came from.
    Runs inside the caller's transaction (``cycle_open``, ``cycle_add_organisation``).
    """
    counts = {"prefilled": 0, "suggested": 0}
    previous = previous_cycle(cycle)
    if previous is None:
        return counts
    organisation_ids = {s.organisation_id for s in submissions}
    old_submissions = dict(
        Submission.objects.filter(
            cycle=previous, organisation_id__in=organisation_ids, status__in=CARRIED_FROM_STATUSES
        ).values_list("pk", "organisation_id")
    )
    if not old_submissions:
        return counts
    if previous.framework_version_id == cycle.framework_version_id:
        links = None
    else:
        links = by_target(indicator_links(previous.framework_version_id, cycle.framework_version_id))
        if links is None:
            return counts
    old = {}
    for row in (
        Answer.objects.filter(submission_id__in=list(old_submissions))
        .exclude(choice="")
        .exclude(carry=Carry.PREFILLED)
        .order_by()
        .values("pk", "submission_id", "choice", "evidence", code=F("indicator__code"))
    ):
        old[(old_submissions[row["submission_id"]], row["code"])] = row
    organisation_of = {s.pk: s.organisation_id for s in submissions}
    targets = list(
        Answer.objects.filter(submission__in=list(organisation_of), version=0, choice="", carry="")
        .annotate(code=F("indicator__code"))
        .order_by()
    )
    now = timezone.now()
    changed, revisions = [], []
    for answer in targets:
        organisation_id = organisation_of[answer.submission_id]
        mapped = [(answer.code, CrosswalkEntry.Relation.EQUAL)] if links is None else links.get(answer.code, [])
        sources = [
            (relation, old[(organisation_id, code)]) for code, relation in mapped if (organisation_id, code) in old
        ]
        if not sources:
            continue
        carry, relation, row = _carried(sources)
        answer.carry, answer.carry_relation, answer.carried_period = carry, relation, previous.period
        answer.carried_from_id = row["pk"]
        answer.carried_choice, answer.carried_evidence = row["choice"], row["evidence"]
        if carry == Carry.PREFILLED:
            answer.choice, answer.evidence, answer.version = row["choice"], row["evidence"], 1
            revisions.append(
                AnswerRevision(
                    answer=answer,
                    country_id=cycle.country_id,
                    version=1,
                    choice=answer.choice,
                    evidence=answer.evidence,
                    changed_by=by,
                    changed_at=now,
                    source=AnswerRevision.Source.CARRIED,
                )
            )
        counts[carry] += 1
        changed.append(answer)
    fields = ["carry", "carry_relation", "carried_period", "carried_from", "carried_choice", "carried_evidence"]
    Answer.objects.bulk_update(changed, [*fields, "choice", "evidence", "version"], batch_size=500)
    AnswerRevision.objects.bulk_create(revisions, batch_size=1000)
    if changed:
        AuditEvent.objects.create(
            user=by,
            action=AuditEvent.Action.ANSWERS_CARRIED,
            country_id=cycle.country_id,
            cycle=cycle,
            detail=(
                f"from {previous.title} ({previous.framework_version.code}): "
                f"{counts['prefilled']} pre-filled, {counts['suggested']} suggested"
            ),
        )
        # Apps above this one carry what they hang on an answer (the evidence app: its documents and links),
        # through an AppConfig method, so that dependencies keep pointing down (as with seed_demo).
        prefilled = [answer for answer in changed if answer.carry == Carry.PREFILLED]
        for config in apps.get_app_configs():
            hook = getattr(config, "answers_carried", None)
            if prefilled and callable(hook):
                hook(answers=prefilled, by=by, now=now)
    return counts


def _confirm_locked(*, answer, submission, by, now, request=None):
    """Confirm one carried answer of a locked, answerable submission; False when there was nothing to do.

    A pre-filled answer keeps its level and evidence; a suggestion is taken over as the answer (and
    checked like any answer: levels 3–4 need evidence). Either way the version rises, a revision
    (source: confirmed) records who and when, and the audit trail names the indicator.
    """
    if answer.carry == Carry.PREFILLED:
        choice, evidence = answer.choice, answer.evidence
    elif answer.carry == Carry.SUGGESTED:
        choice, evidence = answer.carried_choice, answer.carried_evidence
        services.answer_validate(choice=choice, evidence=evidence)
    else:
        return False
    updated = Answer.objects.filter(pk=answer.pk, version=answer.version, carry=answer.carry).update(
        choice=choice,
        evidence=evidence,
        carry=Carry.CONFIRMED,
        confirmed_by=by,
        confirmed_at=now,
        version=F("version") + 1,
        updated_by=by,
        updated_at=now,
    )
    if not updated:
        return False  # confirmed or changed meanwhile (a second click): the newer state stands
    was = answer.carry
    answer.choice, answer.evidence, answer.carry = choice, evidence, Carry.CONFIRMED
    answer.confirmed_by, answer.confirmed_at = by, now
    answer.version, answer.updated_by, answer.updated_at = answer.version + 1, by, now
    AnswerRevision.objects.create(
        answer=answer,
        country_id=submission.cycle.country_id,
        version=answer.version,
        choice=choice,
        evidence=evidence,
        comment=answer.comment,
        changed_by=by,
        changed_at=now,
        source=AnswerRevision.Source.CONFIRMED,
    )
    services.audit(
        user=by,
        action=AuditEvent.Action.ANSWER_CONFIRMED,
        country=submission.cycle.country,
        cycle=submission.cycle,
        submission=submission,
        request=request,
        detail=f"{answer.indicator.code}: {choice} ({'suggestion taken' if was == Carry.SUGGESTED else 'confirmed'}, "
        f"{answer.carry_relation}, from {answer.carried_period})",
    )
    return True


@transaction.atomic
def answer_confirm(*, answer, by, request=None) -> Answer:
    """Confirm one carried answer (or take over its suggestion), refused on a closed cycle or a submitted
    questionnaire. Confirming twice is harmless: the second finds nothing to confirm."""
    submission = services.submission_lock_answerable(answer.submission_id)
    current = Answer.objects.select_for_update().get(pk=answer.pk)
    current.indicator = answer.indicator
    if current.carry not in (Carry.PREFILLED, Carry.SUGGESTED) and current.carry != Carry.CONFIRMED:
        raise ValidationError(_("This answer was not carried from the last cycle; there is nothing to confirm."))
    _confirm_locked(answer=current, submission=submission, by=by, now=timezone.now(), request=request)
    return current


@transaction.atomic
def answers_confirm_all(*, submission, answers, by, request=None) -> list[Answer]:
    """Confirm every pre-filled answer among ``answers`` (one page), each recorded on its own.

    Suggestions are left alone: the indicator changed, so each needs a person's look, not a batch.
    """
    locked = services.submission_lock_answerable(submission.pk)
    now = timezone.now()
    indicators = {a.pk: a.indicator for a in answers}
    confirmed = []
    for current in Answer.objects.select_for_update().filter(
        pk__in=list(indicators), submission=locked, carry=Carry.PREFILLED
    ):
        current.indicator = indicators[current.pk]
        if _confirm_locked(answer=current, submission=locked, by=by, now=now, request=request):
            confirmed.append(current)
    return confirmed
