"""Anonymised distributions of national levels, with the small-number rules of docs/methodology.md.

A figure (the distribution of one capability or domain over a region or the network) is shown only when
at least ``NETWORK_MIN_COUNTRIES`` (k) countries contributed to it. Within a shown figure a cell (a level)
holding fewer than ``NETWORK_MIN_CELL`` countries, but not none, is hidden; when exactly one cell is hidden
the next smallest is hidden too (complementary suppression: with the total shown, a single hidden cell
could be worked out by subtraction); and the median is hidden whenever any cell is, since it would narrow
the hidden cells down. Nothing here returns a country: the rows read carry country ids only to keep one
cycle per country, and they never leave this module.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from statistics import median

from django.conf import settings

from capabilities.models import MAX_LEVEL, MIN_LEVEL, Capability, Domain

from .models import Consent, ContributedLevel

LEVELS = tuple(range(MIN_LEVEL, MAX_LEVEL + 1))


@dataclass
class Cell:
    level: int
    count: int | None  # None: hidden

    @property
    def hidden(self):
        return self.count is None


@dataclass
class Distribution:
    """How many contributing countries stand at each level. ``shown`` is False below k: then no count,
    no cell and no median is given at all, only that fewer than k countries contributed."""

    shown: bool
    contributors: int | None
    cells: list[Cell] = field(default_factory=list)
    median: Decimal | None = None
    k: int = 5

    @property
    def any_hidden(self):
        return any(c.hidden for c in self.cells)

    def count_at(self, level):
        for cell in self.cells:
            if cell.level == level:
                return cell.count
        return None


def bin_of(level):
    """The whole level a national level stands at: 2.7 has reached level 2, not yet level 3."""
    return int(Decimal(level).to_integral_value(rounding=ROUND_FLOOR))


def distribution(values, *, k=None, min_cell=None):
    """The suppressed distribution of ``values`` (one national level per contributing country)."""
    k = settings.NETWORK_MIN_COUNTRIES if k is None else k
    min_cell = settings.NETWORK_MIN_CELL if min_cell is None else min_cell
    if len(values) < k:
        return Distribution(shown=False, contributors=None, k=k)
    counts = dict.fromkeys(LEVELS, 0)
    for value in values:
        counts[bin_of(value)] += 1
    hidden = {level for level, n in counts.items() if 0 < n < min_cell}
    if len(hidden) == 1:
        # The next smallest cell (zeros included): two hidden cells whose sum is known cannot be told apart.
        _n, level = min((n, level) for level, n in counts.items() if level not in hidden)
        hidden.add(level)
    cells = [Cell(level, None if level in hidden else counts[level]) for level in LEVELS]
    middle = None
    if not hidden:
        middle = Decimal(str(median(Decimal(v) for v in values))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Distribution(shown=True, contributors=len(values), cells=cells, median=middle, k=k)


def contributions(*, version, region=None):
    """``{country id: {capability number: (domain code, level)}}``: each contributing country's most recent
    closed cycle with a current aggregates consent, in ``version``. One query."""
    rows = ContributedLevel.objects.filter(
        version=version, consent__kind=Consent.Kind.AGGREGATES, consent__withdrawn_at__isnull=True
    )
    if region is not None:
        rows = rows.filter(consent__cycle__country__regions=region)
    latest = {}
    for country_id, closed_at, consent_id, number, domain, level in rows.order_by().values_list(
        "consent__cycle__country_id", "consent__cycle__closed_at", "consent_id", "number", "domain", "level"
    ):
        key = (closed_at, consent_id)
        kept = latest.get(country_id)
        if kept is None or key > kept[0]:
            latest[country_id] = (key, {})
            kept = latest[country_id]
        if key == kept[0]:
            kept[1][number] = (domain, level)
    return {country_id: levels for country_id, (_key, levels) in latest.items()}


def _domain_level(levels):
    return sum(levels, Decimal(0)) / len(levels)


def figures(contributed, *, k=None, min_cell=None):
    """``({capability number: Distribution}, {domain code: Distribution})`` of ``contributions(...)``.

    A country's domain level is the mean of its contributed capability levels in the domain (as the gap
    report's domain profile), placed at the whole level it has reached.
    """
    by_capability = defaultdict(list)
    by_domain_country = defaultdict(lambda: defaultdict(list))
    for country_id, levels in contributed.items():
        for number, (domain, level) in levels.items():
            by_capability[number].append(level)
            by_domain_country[domain][country_id].append(level)
    capabilities = {n: distribution(values, k=k, min_cell=min_cell) for n, values in by_capability.items()}
    domains = {
        code: distribution([_domain_level(v) for v in per_country.values()], k=k, min_cell=min_cell)
        for code, per_country in by_domain_country.items()
    }
    return capabilities, domains


def scope_figures(*, version, region=None):
    """One scope's table: capabilities and domains of ``version`` in order, each with its distribution.
    Three queries: the contributions, the capabilities, the domains."""
    caps, doms = figures(contributions(version=version, region=region))
    empty = distribution([])
    return {
        "region": region,
        "capabilities": [
            {"number": c.number, "title": c.title, "domain": c.domain_id, "figure": caps.get(c.number, empty)}
            for c in Capability.objects.filter(version=version).order_by("number")
        ],
        "domains": [
            {"code": d.code, "name": d.name, "figure": doms.get(d.code, empty)}
            for d in Domain.objects.filter(version=version).order_by("order", "code")
        ],
    }
