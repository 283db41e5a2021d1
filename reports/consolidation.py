"""Assemble a cycle's report data: what the analysis pages show and what a report job freezes.

``cycle_report_data`` runs a fixed number of queries whatever the number of organisations
(see tests/reports/test_consolidation.py) and returns plain, JSON-ready data.
"""

import copy
from collections import defaultdict
from statistics import median

from django.apps import apps
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from assessments import carry
from assessments.models import Answer, Carry, Submission
from capabilities.crosswalks import capability_links
from capabilities.models import (
    Capability,
    CrosswalkEntry,
    Domain,
    Enabler,
    Indicator,
    LevelDescriptor,
    MaturityLevel,
    Sector,
    Source,
)
from capabilities.queries import version_tags
from capabilities.translation import fw_text

from . import scoring
from .models import EnablerScore, ValidatedLevel

INCLUDED_STATUSES = (Submission.Status.SUBMITTED, Submission.Status.ACCEPTED)
# How a capability equal to its previous one is compared when some of its indicators changed.
INDICATORS_CHANGED = "indicators"
EVIDENCE_EXCERPTS = 3
EXCERPT_CHARS = 280
NEXT_STEPS = 3
# The parts of the gap report a coordinator may allow in the public summary, in the report's order.
PUBLIC_SECTIONS = (
    ("profile", _("Domain profile")),
    ("priorities", _("Priorities, strengths and contested areas")),
    ("capabilities", _("Capability levels, by domain")),
    ("progress", _("Progress since the previous cycle")),
    ("enablers", _("Enablers (levels only)")),
    ("data_gaps", _("Data gaps")),
    ("participation", _("Response rate by sector")),
    ("method", _("Annex: methodology")),
)
ALL_SECTIONS = tuple(code for code, _label in PUBLIC_SECTIONS)


def _name(user):
    return (user.get_full_name() or user.get_username()) if user else ""


def _excerpt(text):
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _national_scores(answers, submissions, indicators, targets, validated):
    """National score per capability number from flat answer rows of included submissions."""
    per_org_cap = defaultdict(list)  # (submission id, capability number) → responses
    for row in answers:
        ind = indicators[row["indicator_id"]]
        per_org_cap[(row["submission_id"], ind["number"])].append(
            scoring.Response(str(row["submission_id"]), ind["code"], ind["weight"], row["choice"])
        )
    org_scores = defaultdict(dict)  # capability → submission id → OrganisationScore
    for (submission_id, number), responses in per_org_cap.items():
        org_scores[number][submission_id] = scoring.organisation_score(submissions[submission_id]["name"], responses)
    national = {}
    for number in targets:
        national[number] = scoring.national_score(
            list(org_scores[number].values()), target=targets[number], validated=validated.get(number)
        )
    return national, org_scores


def _previous_levels(previous, cycle, indicators, targets):
    """The previous cycle's national level per capability number of this cycle's version.

    Same version: capability by capability (relation ``equal``). Another version: through the
    crosswalk's capability entries; an ``equal`` capability is compared directly, any other relation is
    flagged, and a capability several previous ones were merged into is compared with their mean. An
    ``equal`` capability some of whose indicators the crosswalk does not map as ``equal`` is flagged as
    ``INDICATORS_CHANGED``. No crosswalk: nothing is compared. 3 queries (same version), 7 (another
    version), 0 without previous.
    Returns (levels, respondents, relation) keyed by this cycle's capability number.
    """
    if previous is None:
        return {}, {}, {}
    prev_subs = {
        s["id"]: {"name": str(s["id"])}
        for s in Submission.objects.filter(cycle=previous, status__in=INCLUDED_STATUSES).values("id")
    }
    prev_answers = [
        row
        for row in Answer.objects.filter(submission_id__in=list(prev_subs))
        .order_by()
        .values("submission_id", "indicator_id", "choice", "carry")
        if row["carry"] != Carry.PREFILLED
    ]
    prev_validated = dict(ValidatedLevel.objects.filter(cycle=previous).values_list("capability__number", "level"))
    same_version = previous.framework_version_id == cycle.framework_version_id
    if same_version:
        prev_indicators, links = indicators, None
    else:
        links = carry.by_target(capability_links(previous.framework_version_id, cycle.framework_version_id))
        if links is None:
            return {}, {}, {}
        prev_indicators = {
            i["id"]: i
            for i in Indicator.objects.filter(version_id=previous.framework_version_id).values(
                "id", "code", "weight", number=F("capability__number")
            )
        }
    prev_targets = targets if same_version else dict.fromkeys({i["number"] for i in prev_indicators.values()}, 3)
    prev_national, _scores = _national_scores(prev_answers, prev_subs, prev_indicators, prev_targets, prev_validated)
    if same_version:
        levels = {n: s.level for n, s in prev_national.items() if n in targets}
        respondents = {n: s.respondents for n, s in prev_national.items() if n in targets}
        return levels, respondents, {n: CrosswalkEntry.Relation.EQUAL for n in levels if levels[n] is not None}
    changed = _changed_capabilities(previous, cycle, indicators, prev_indicators, links)
    levels, respondents, compared = {}, {}, {}
    for number in targets:
        sources = [(prev_national[n], relation) for n, relation in links.get(number, []) if n in prev_national]
        found = [(score, relation) for score, relation in sources if score.level is not None]
        if not found:
            continue
        levels[number] = scoring.shown(sum(score.level for score, _r in found) / len(found))
        respondents[number] = min(score.respondents for score, _r in found)
        relations = {relation for _s, relation in found}
        if relations == {CrosswalkEntry.Relation.EQUAL} and len(found) == 1:
            # An equal capability whose indicators changed measures something else now: flagged too.
            compared[number] = INDICATORS_CHANGED if number in changed else CrosswalkEntry.Relation.EQUAL
        else:
            compared[number] = sorted(relations - {CrosswalkEntry.Relation.EQUAL} or relations)[0]
    return levels, respondents, compared


def _changed_capabilities(previous, cycle, indicators, prev_indicators, links):
    """Numbers of this version's capabilities with an indicator the crosswalk does not map as ``equal``
    (1 query): new, split, merged, narrowed, widened, or one of its previous indicators removed."""
    numbers = {i["code"]: i["number"] for i in indicators.values()}
    prev_numbers = {i["code"]: i["number"] for i in prev_indicators.values()}
    targets_of = defaultdict(set)
    for target, sources in links.items():
        for source, _relation in sources:
            targets_of[source].add(target)
    changed = set()
    for source_code, target_code in (
        CrosswalkEntry.objects.filter(
            crosswalk__source_id=previous.framework_version_id,
            crosswalk__target_id=cycle.framework_version_id,
            kind=CrosswalkEntry.Kind.INDICATOR,
        )
        .exclude(relation=CrosswalkEntry.Relation.EQUAL)
        .values_list("source_code", "target_code")
    ):
        if target_code in numbers:
            changed.add(numbers[target_code])
        elif source_code in prev_numbers:
            changed |= targets_of.get(prev_numbers[source_code], set())
    return changed


def _domain_profile(code, caps):
    profile = scoring.DomainProfile(code, [c["level"] for c in caps if c["level"] is not None])
    return {"mean": profile.mean, "min": profile.minimum, "max": profile.maximum}


def cycle_report_data(cycle, *, now=None, language=None):
    """Everything the gap report says about one cycle, as plain data, in the cycle's report language.

    15 queries, 18 with a previous cycle, when the cycle comes with its country and framework
    version (as ``get_cycle_for_user`` loads it); 2 more otherwise. Framework texts are read in
    ``language`` (default: the cycle's report language), falling back to English.
    """
    language = language or cycle.report_language
    with translation.override(language):
        data = _cycle_report_data(cycle, now=now)
    data["meta"]["language"] = language
    return data


def report_sections(cycle, data):
    """Sections that apps above reports add to the gap report, to be frozen with its data.

    reports imports no app above it (tests/test_layering.py), so the dependency is inverted as in
    ``seed_demo``: every installed AppConfig with a ``report_sections(*, cycle, data)`` method returns a
    list of ``{"template": name, "data": {...}}`` with JSON-ready data (Decimal as strings), read in the
    report's language. The PDF includes each template with its data as ``section``.
    """
    sections = []
    with translation.override(data["meta"]["language"]):
        for config in apps.get_app_configs():
            provider = getattr(config, "report_sections", None)
            if callable(provider):
                sections.extend(provider(cycle=cycle, data=data))
    return sections


def frozen_report_data(cycle, *, language=None):
    """What a report job freezes: the cycle's report data and the chapters added to it."""
    return with_chapters(cycle, cycle_report_data(cycle, language=language))


def with_chapters(cycle, data):
    """``data`` (the cycle's report data) with the national data chapter and the sections other apps add.

    The one place that says what a report holds beyond the capabilities: report jobs
    (``services.report_job_request``) and ``render_report`` both freeze through it.
    """
    from .figures import national_data

    with translation.override(data["meta"]["language"]):
        data["national_data"] = national_data(cycle, data)
    data["sections"] = report_sections(cycle, data)
    return data


def _cycle_report_data(cycle, *, now=None):
    version_id = cycle.framework_version_id
    scale = [
        {"level": m.level, "name": m.name, "source": m.source}
        for m in MaturityLevel.objects.filter(version_id=version_id).order_by("level")
    ]
    domains = list(Domain.objects.filter(version_id=version_id).order_by("order", "code"))
    capabilities = list(Capability.objects.filter(version_id=version_id).select_related("domain").order_by("number"))
    # Instances, not values(): translated texts fall back to English through the model attributes.
    indicators = {
        i.pk: {
            "id": i.pk,
            "code": i.code,
            "question": fw_text(i, "question"),
            "weight": i.weight,
            "number": i.number,
            "source": i.source,
        }
        for i in Indicator.objects.filter(version_id=version_id)
        .annotate(number=F("capability__number"))
        .order_by("capability__number", "order", "code")
    }
    descriptors = {
        (d.indicator_id, d.level): fw_text(d, "text")
        for d in LevelDescriptor.objects.filter(indicator__version_id=version_id)
    }
    targets = {t.capability.number: t.target_level for t in cycle.targets.select_related("capability")}
    for cap in capabilities:
        targets.setdefault(cap.number, 3)
    validated_rows = {
        v.capability.number: v
        for v in ValidatedLevel.objects.filter(cycle=cycle).select_related("capability", "set_by")
    }
    validated = {n: v.level for n, v in validated_rows.items()}
    sectors = {s.pk: s for s in Sector.objects.all()}

    submissions = {}
    for s in Submission.objects.filter(cycle=cycle).select_related("organisation").order_by("organisation__name"):
        sector = sectors[s.organisation.sector_id]
        submissions[s.pk] = {
            "id": s.pk,
            "name": s.organisation.name,
            "sector": sector.code,
            "sector_name": sector.name,
            "status": s.status,
            "included": s.status in INCLUDED_STATUSES,
            "asked": 0,
            "answered": 0,
            "carried_unconfirmed": 0,
        }
    all_answers = list(
        # No ORDER BY: the figures do not depend on the order, and Answer's default one joins two tables to sort.
        Answer.objects.filter(submission__cycle=cycle)
        .order_by()
        .values("submission_id", "indicator_id", "choice", "evidence", "carry")
    )
    for row in all_answers:
        sub = submissions[row["submission_id"]]
        sub["asked"] += 1
        if row["carry"] == Carry.PREFILLED:
            # Carried from the last cycle and never confirmed: last cycle's picture, not this one's. Counted
            # as "carried, not confirmed" and scored as unanswered (a data gap, never a level).
            sub["carried_unconfirmed"] += 1
            row["choice"], row["evidence"] = "", ""
        sub["answered"] += row["choice"] != ""
    included = [row for row in all_answers if submissions[row["submission_id"]]["included"]]
    national, org_scores = _national_scores(included, submissions, indicators, targets, validated)

    previous = carry.previous_cycle(cycle)
    previous_levels, previous_respondents, compared = _previous_levels(previous, cycle, indicators, targets)

    weights = defaultdict(list)
    for ind in indicators.values():
        weights[ind["number"]].append(ind["weight"])
    weight_factors = {n: scoring.weight_factor(w) for n, w in weights.items()}

    evidence = defaultdict(list)
    per_indicator_levels = defaultdict(list)
    for row in included:
        ind = indicators[row["indicator_id"]]
        if row["choice"] in scoring.LEVELS:
            per_indicator_levels[row["indicator_id"]].append(int(row["choice"]))
        if row["evidence"].strip() and len(evidence[ind["number"]]) < 50:
            evidence[ind["number"]].append((row, ind))

    capability_rows = []
    for cap in capabilities:
        score = national[cap.number]
        orgs = sorted(org_scores[cap.number].items(), key=lambda item: submissions[item[0]]["name"])
        by_sector = defaultdict(list)
        for submission_id, org_score in orgs:
            if org_score.score is not None:
                by_sector[submissions[submission_id]["sector"]].append(org_score.score)
        steps = []
        cap_indicators = [i for i in indicators.values() if i["number"] == cap.number]
        for ind in cap_indicators:
            levels = per_indicator_levels.get(ind["id"])
            if not levels:
                continue  # nobody gave this indicator a level: a data gap, not a step
            level = median(levels)
            if level >= targets[cap.number]:
                continue
            goal = scoring.next_level(level)
            steps.append(
                {
                    "indicator": ind["code"],
                    "question": ind["question"],
                    "current": level,
                    "level": goal,
                    "text": descriptors.get((ind["id"], goal), ""),
                }
            )
        steps.sort(key=lambda s: (s["current"], s["indicator"]))
        excerpts = sorted(
            evidence[cap.number], key=lambda pair: (pair[1]["code"], submissions[pair[0]["submission_id"]]["name"])
        )
        v = validated_rows.get(cap.number)
        capability_rows.append(
            {
                "number": cap.number,
                "title": fw_text(cap, "title"),
                "summary": fw_text(cap, "summary"),
                "domain": cap.domain.code,
                "target": score.target,
                "computed": score.computed,
                "validated": score.validated,
                "validated_by": _name(v.set_by) if v else "",
                "validated_rationale": v.rationale if v else "",
                "level": score.level,
                "gap": score.gap,
                "min": score.minimum,
                "max": score.maximum,
                "spread": score.spread,
                "distinct_levels": score.distinct_levels,
                "respondents": score.respondents,
                "coverage": score.coverage,
                "disagreement": score.disagreement,
                "contested": score.contested,
                "resolved": score.resolved,
                "data_gap": score.data_gap,
                "suppressed": False,
                "previous": previous_levels.get(cap.number),
                "previous_respondents": previous_respondents.get(cap.number, 0),
                # How the previous level was found: "equal" (same capability), another crosswalk relation
                # ("compared through the crosswalk"), or None (no previous level).
                "compared": compared.get(cap.number),
                "delta": scoring.delta(score.level, previous_levels.get(cap.number)),
                "weight": weight_factors.get(cap.number, 1.0),
                "organisations": [
                    {
                        "name": submissions[sid]["name"],
                        "sector": submissions[sid]["sector_name"],
                        "score": o.score,
                        "levels": o.levels,
                        "dont_know": o.dont_know,
                        "not_applicable": o.not_applicable,
                        "unanswered": o.unanswered,
                    }
                    for sid, o in orgs
                ],
                "by_sector": {code: round(median(values), 2) for code, values in by_sector.items()},
                "evidence": [
                    {
                        "organisation": submissions[row["submission_id"]]["name"],
                        "indicator": ind["code"],
                        "text": _excerpt(row["evidence"]),
                    }
                    for row, ind in excerpts[:EVIDENCE_EXCERPTS]
                ],
                "next_steps": steps[:NEXT_STEPS],
            }
        )

    by_number = {c["number"]: c for c in capability_rows}
    priorities = scoring.rank_priorities({n: national[n] for n in by_number}, weight_factors)
    domain_rows = []
    for d in domains:
        caps = [c for c in capability_rows if c["domain"] == d.code]
        domain_rows.append(
            {
                "code": d.code,
                "name": fw_text(d, "name"),
                "outcome": fw_text(d, "outcome"),
                **_domain_profile(d.code, caps),
                "target_mean": round(sum(c["target"] for c in caps) / len(caps), 2) if caps else None,
                "capabilities": [c["number"] for c in caps],
            }
        )
    enabler_scores = {e.enabler_id: e for e in EnablerScore.objects.filter(cycle=cycle).select_related("set_by")}
    enablers = [
        {
            "code": e.code,
            "name": fw_text(e, "name"),
            "description": e.description,
            "level": enabler_scores[e.pk].level if e.pk in enabler_scores else None,
            "rationale": enabler_scores[e.pk].rationale if e.pk in enabler_scores else "",
            "set_by": _name(enabler_scores[e.pk].set_by) if e.pk in enabler_scores else "",
            "source": e.source,
            "links_source": e.links_source,
        }
        for e in Enabler.objects.filter(version_id=version_id).order_by("order", "code")
    ]
    used_sectors = sorted({(s["sector"], s["sector_name"]) for s in submissions.values()}, key=lambda x: x[1])
    sector_rows = [
        {
            "code": code,
            "name": name,
            "organisations": sum(1 for s in submissions.values() if s["sector"] == code),
            "responded": sum(1 for s in submissions.values() if s["sector"] == code and s["included"]),
        }
        for code, name in used_sectors
    ]
    now = now or timezone.now()
    return {
        "meta": {
            "cycle_id": cycle.pk,
            "cycle_title": cycle.title,
            "period": cycle.period,
            "country": cycle.country.name,
            "country_code": cycle.country.code,
            "framework_code": cycle.framework_version.code,
            "framework_title": cycle.framework_version.title,
            "opens_on": cycle.opens_on.isoformat(),
            "closes_on": cycle.closes_on.isoformat(),
            "cycle_status": cycle.status,
            "generated_at": now.isoformat(timespec="seconds"),
            "language": "en",
            "audience": "coordinator",
        },
        "method": {
            "aggregate": "median",
            "contested_spread": scoring.CONTESTED_SPREAD,
            "min_respondents": scoring.MIN_RESPONDENTS,
            "min_coverage": scoring.MIN_COVERAGE,
            "included_statuses": list(INCLUDED_STATUSES),
        },
        "scale": scale,
        "organisations": list(submissions.values()),
        "sectors": sector_rows,
        "domains": domain_rows,
        "capabilities": capability_rows,
        "priorities": [
            {"capability": p.capability, "gap": p.gap, "weight": p.weight, "score": p.score} for p in priorities
        ],
        # A strength meets its target and is not contested: a median that organisations dispute by two
        # levels or more is listed under contested (with "at target") until it is discussed and validated.
        "at_target": [c["number"] for c in capability_rows if c["gap"] is not None and c["gap"] <= 0],
        "strengths": [
            c["number"] for c in capability_rows if c["gap"] is not None and c["gap"] <= 0 and not c["contested"]
        ],
        "contested": [c["number"] for c in capability_rows if c["contested"]],
        "resolved": [c["number"] for c in capability_rows if c["resolved"]],
        "data_gaps": [c["number"] for c in capability_rows if c["data_gap"]],
        "enablers": enablers,
        # What the portal added to the MNR text, for the methodology annex (docs/methodology.md).
        "portal_additions": {
            "levels": [m["level"] for m in scale if m["source"] == Source.PORTAL],
            "enablers": [e["code"] for e in enablers if e["source"] == Source.PORTAL],
            "enabler_links": any(e["links_source"] == Source.PORTAL for e in enablers),
            "indicators": [i["code"] for i in indicators.values() if i["source"] == Source.PORTAL],
        },
        "tags": version_tags(version_id),
        "previous_cycle": {
            "id": previous.pk,
            "title": previous.title,
            "period": previous.period,
            "framework_code": previous.framework_version.code,
            "other_version": previous.framework_version_id != version_id,
        }
        if previous
        else None,
        "totals": {
            "organisations": len(submissions),
            "included": sum(1 for s in submissions.values() if s["included"]),
            "answers": len(included),
        },
    }


# Levels an observer is not shown when fewer than OBSERVER_MIN_ORGANISATIONS organisations carry them.
SMALL_NUMBER_FIELDS = ("computed", "validated", "level", "gap", "min", "max", "spread", "distinct_levels")


def observer_report_data(cycle, *, now=None, language=None):
    """The national analysis as an observer may see it: the one place the observer rules apply.

    Observers get no organisation-level detail (organisations, evidence, sector medians), and a
    capability that fewer than ``scoring.OBSERVER_MIN_ORGANISATIONS`` included organisations gave a
    level is marked ``suppressed`` with none of its levels, gap or spread: with one or two
    organisations the national level would be their own score. The same holds for the previous
    cycle's level. Domain figures, priorities, strengths and contested lists are rebuilt from what
    remains, so nothing hidden can be worked out from them. Same queries as ``cycle_report_data``.
    """
    return observer_view(cycle_report_data(cycle, now=now, language=language))


def observer_view(data):
    """A copy of ``cycle_report_data``'s result with the observer rules applied (see above)."""
    data = copy.deepcopy(data)
    minimum = scoring.OBSERVER_MIN_ORGANISATIONS
    data["meta"]["audience"] = "observer"
    data["method"]["observer_min_organisations"] = minimum
    data["organisations"] = []
    for cap in data["capabilities"]:
        cap.update(organisations=[], evidence=[], by_sector={}, next_steps=[], validated_by="")
        if cap["respondents"] < minimum:
            cap.update(dict.fromkeys(SMALL_NUMBER_FIELDS), suppressed=True, validated_rationale="")
            cap.update(disagreement=False, contested=False, resolved=False)
        if cap["previous_respondents"] < minimum or cap["suppressed"]:
            cap.update(previous=None, delta=None)
    caps = {c["number"]: c for c in data["capabilities"]}
    for domain in data["domains"]:
        domain.update(_domain_profile(domain["code"], [caps[n] for n in domain["capabilities"]]))
    data["priorities"] = [p for p in data["priorities"] if not caps[p["capability"]]["suppressed"]]
    for key in ("at_target", "strengths", "contested", "resolved"):
        data[key] = [n for n in data[key] if not caps[n]["suppressed"]]
    return data


def public_view(data, sections):
    """A copy of frozen report data that may be published: only ``sections``, nothing about any one organisation.

    Starts from ``observer_view`` (no organisations, evidence, sector medians or next steps; small numbers
    suppressed), then drops what the coordinator wrote and could name an organisation or a person (the
    rationales of validated levels and enabler scores, who set them) and the sections other apps add (the
    action plan names the organisations that lead its actions). ``data["public_sections"]`` lists what the
    renderers print, in the report's order; unknown codes are a ``ValueError``.
    """
    unknown = set(sections) - set(ALL_SECTIONS)
    if unknown:
        raise ValueError(f"unknown public sections: {sorted(unknown)}")
    data = observer_view(data)
    data["meta"]["audience"] = "public"
    data["public_sections"] = [code for code in ALL_SECTIONS if code in sections]
    data["sections"] = []
    # The national data chapter is not one of the sections a coordinator releases, and its rationales are
    # the coordinator's words: a public summary leaves it out.
    data.pop("national_data", None)
    for cap in data["capabilities"]:
        cap.update(validated_rationale="", validated_by="")
    for enabler in data["enablers"]:
        enabler.update(rationale="", set_by="")
    return data


def shown_sections(data):
    """The section codes a renderer prints: all of them in the full report, the allowed ones in a public summary."""
    return data.get("public_sections", ALL_SECTIONS)
