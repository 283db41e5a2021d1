"""The scoring method, as plain functions over plain data (see docs/methodology.md).

Nothing here touches the database: ``reports.consolidation`` feeds it rows and stores what it
returns, so the method can be tested on hand-made cases and explained line by line.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

CONTESTED_SPREAD = 2  # organisations' scores differing by this many levels or more
MIN_RESPONDENTS = 2  # fewer organisations scoring a capability: a data gap
MIN_COVERAGE = 0.5  # fewer answers with a level than this share of what was asked: a data gap
LEVELS = {"0", "1", "2", "3", "4"}
OBSERVER_MIN_ORGANISATIONS = 3  # observers see no level that fewer organisations carry (see docs/methodology.md)


def shown(value):
    """A level as it is printed: one decimal, halves rounded up (2.65 → 2.7), never -0.0.

    National levels are rounded once, here, and gaps and changes are computed from the rounded
    levels, so that level, target and gap always agree as printed (2.6, 3 and 0.4).
    """
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)) + 0.0  # + 0.0: no -0.0


@dataclass(frozen=True)
class Response:
    """One organisation's answer to one indicator."""

    organisation: str
    indicator: str
    weight: int
    choice: str  # "0".."4", "dk", "na" or "" (unanswered)


@dataclass
class OrganisationScore:
    organisation: str
    score: float | None  # weighted mean of levels; None when no indicator has a level
    levels: int = 0
    dont_know: int = 0
    not_applicable: int = 0
    unanswered: int = 0

    @property
    def asked(self):
        return self.levels + self.dont_know + self.not_applicable + self.unanswered


def organisation_score(organisation, responses):
    """An organisation's score for one capability: the weighted mean of its levels.

    "Don't know", "not applicable" and unanswered indicators are left out of the mean and counted.
    """
    total = weights = 0
    result = OrganisationScore(organisation, None)
    for r in responses:
        if r.choice in LEVELS:
            total += int(r.choice) * r.weight
            weights += r.weight
            result.levels += 1
        elif r.choice == "dk":
            result.dont_know += 1
        elif r.choice == "na":
            result.not_applicable += 1
        else:
            result.unanswered += 1
    result.score = round(total / weights, 2) if weights else None
    return result


@dataclass
class NationalScore:
    computed: float | None  # median of organisation scores
    validated: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    distinct_levels: int = 0
    respondents: int = 0
    coverage: float = 0.0  # share of asked (not "not applicable") indicator answers that have a level
    target: int = 3

    @property
    def level(self):
        """The national level used for the gap: the validated one when the coordinator set it,
        else the computed median with one decimal (as printed)."""
        return self.validated if self.validated is not None else shown(self.computed)

    @property
    def spread(self):
        if self.minimum is None:
            return None
        return round(self.maximum - self.minimum, 2)

    @property
    def disagreement(self):
        """Organisations' scores are CONTESTED_SPREAD levels or more apart."""
        return self.spread is not None and self.spread >= CONTESTED_SPREAD

    @property
    def contested(self):
        """A disagreement the coordinator has not settled with a validated level."""
        return self.disagreement and self.validated is None

    @property
    def resolved(self):
        """A disagreement settled by a validated level (shown with its rationale, not as contested)."""
        return self.disagreement and self.validated is not None

    @property
    def data_gap(self):
        return self.computed is None or self.respondents < MIN_RESPONDENTS or self.coverage < MIN_COVERAGE

    @property
    def gap(self):
        """Target minus the level as printed, so the printed gap is the difference of the printed numbers."""
        if self.level is None:
            return None
        return shown(self.target - self.level)


def national_score(org_scores, *, target, validated=None):
    """Consolidate organisations' scores for one capability.

    The computed level is the median of the organisations that scored it (robust to one outlier);
    the spread is their min–max; coverage counts answers with a level against all asked answers
    except "not applicable".
    """
    scored = [s.score for s in org_scores if s.score is not None]
    asked = sum(s.asked - s.not_applicable for s in org_scores)
    with_level = sum(s.levels for s in org_scores)
    return NationalScore(
        computed=round(median(scored), 2) if scored else None,
        validated=validated,
        minimum=min(scored) if scored else None,
        maximum=max(scored) if scored else None,
        distinct_levels=len({round(s) for s in scored}),
        respondents=len(scored),
        coverage=round(with_level / asked, 3) if asked else 0.0,
        target=target,
    )


def weight_factor(weights):
    """A capability's weight in ranking: its indicators' mean weight over the middle weight 2."""
    return round(sum(weights) / len(weights) / 2, 3) if weights else 1.0


@dataclass
class Priority:
    capability: int
    gap: float
    weight: float

    @property
    def score(self):
        return round(self.gap * self.weight, 3)


def rank_priorities(scores, weights):
    """Capabilities below target, largest weighted gap first; ties go to the lower MNR number.

    ``scores`` maps capability number → NationalScore; ``weights`` maps it → weight factor.
    Capabilities without a national level are data gaps, never priorities by default.
    """
    items = [
        Priority(number, score.gap, weights.get(number, 1.0))
        for number, score in scores.items()
        if score.gap is not None and score.gap > 0
    ]
    return sorted(items, key=lambda p: (-p.score, p.capability))


@dataclass
class DomainProfile:
    domain: str
    levels: list = field(default_factory=list)  # national levels of its capabilities (None kept out)

    @property
    def mean(self):
        return round(sum(self.levels) / len(self.levels), 2) if self.levels else None

    @property
    def minimum(self):
        return min(self.levels) if self.levels else None

    @property
    def maximum(self):
        return max(self.levels) if self.levels else None


def delta(current, previous):
    """Change of a level since the previous cycle; None when either is missing."""
    if current is None or previous is None:
        return None
    return shown(shown(current) - shown(previous))


def next_level(level):
    """The level a capability or indicator should reach next: the one above its whole level."""
    if level is None:
        return 1
    return min(4, int(level) + 1)
