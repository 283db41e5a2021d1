"""The library's search: PostgreSQL full-text search in production, a plain ``icontains`` on SQLite."""

from django.db import connection
from django.db.models import Q

from .models import Practice

SEARCHED_FIELDS = ("title", "summary", "context", "what_was_done", "results", "tags")
PAGE_SIZE = 25


def practice_search(queryset, *, q="", capability=None, domain="", region=None, language="", tag=""):
    """Entries of ``queryset`` matching the text and filters, best match first when searching text.

    Capabilities are matched by number (the MNR numbering is stable across framework versions), domains by
    code; the region filter only matches entries whose author chose to show the country (a hidden
    country's region is not revealed through a filter).
    """
    if capability:
        queryset = queryset.filter(
            pk__in=Practice.capabilities.through.objects.filter(capability__number=capability).values("practice_id")
        )
    if domain:
        queryset = queryset.filter(
            pk__in=Practice.capabilities.through.objects.filter(capability__domain__code=domain).values("practice_id")
        )
    if region is not None:
        queryset = queryset.filter(show_country=True, country__regions=region)
    if language:
        queryset = queryset.filter(language=language)
    if tag:
        queryset = queryset.filter(tags__icontains=tag)
    q = q.strip()
    if not q:
        return queryset.order_by("title", "pk")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector(*SEARCHED_FIELDS, config="simple")
        query = SearchQuery(q, search_type="websearch", config="simple")
        return (
            queryset.annotate(search=vector, rank=SearchRank(vector, query))
            .filter(search=query)
            .order_by("-rank", "title", "pk")
        )
    words = q.split()
    condition = Q()
    for word in words:
        condition &= Q(**{f"{SEARCHED_FIELDS[0]}__icontains": word}) | Q(
            *(Q(**{f"{name}__icontains": word}) for name in SEARCHED_FIELDS[1:]), _connector=Q.OR
        )
    return queryset.filter(condition).order_by("title", "pk")
