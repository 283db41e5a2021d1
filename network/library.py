"""Loading the library's seed entries (fixtures/network-library.yaml), re-runnable: upserts on ``code``.

An entry with ``translation_of: <code>`` is a translation of an earlier entry (in another language).
"""

from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from capabilities.models import Capability

from .models import Practice

LIBRARY_FILE = Path(settings.BASE_DIR) / "fixtures" / "network-library.yaml"
FORMAT = "mnr-network-library/1"
FIELDS = ("title", "summary", "context", "what_was_done", "results", "tags", "language")


@transaction.atomic
def library_load(*, path=LIBRARY_FILE):
    """Create or update each seed entry as published, linked to the capabilities of that number in every
    framework version. Returns ``(created, updated)``. A file with any problem is refused whole."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError(f"{path}: not a {FORMAT} file.")
    created = updated = 0
    for index, item in enumerate(data.get("entries") or [], start=1):
        missing = [name for name in ("code", "title", "summary", "what_was_done", "capabilities") if not item.get(name)]
        if missing:
            raise ValidationError(f"{path}: entry {index} lacks {', '.join(missing)}.")
        values = {name: item.get(name) or "" for name in FIELDS}
        values["language"] = values["language"] or "en"
        values["resources"] = "\n".join(item.get("resources") or [])
        practice, was_created = Practice.objects.update_or_create(
            code=item["code"],
            defaults={**values, "status": Practice.Status.PUBLISHED, "show_country": False, "country": None},
        )
        if practice.published_at is None:
            Practice.objects.filter(pk=practice.pk).update(published_at=timezone.now())
        practice.capabilities.set(Capability.objects.filter(number__in=item["capabilities"]))
        if item.get("translation_of"):
            original = Practice.objects.filter(code=item["translation_of"]).first()
            if original is None or original.language == practice.language:
                raise ValidationError(
                    f"{path}: entry {index} translates {item['translation_of']!r}, which is no earlier entry "
                    "in another language."
                )
            Practice.objects.filter(pk=practice.pk).update(translation_of=original)
        created += was_created
        updated += not was_created
    return created, updated
