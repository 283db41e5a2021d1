"""Templated e-mail: a subject/text/html triplet, rendered in each recipient's language.

Services never send inside their transaction: ``mail_after_commit`` queues the letters, and once the
transaction commits each one is rendered in its recipient's language, sent on its own and recorded in
the country's audit trail (``EMAIL_SENT``).
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def send_templated_mail(template_prefix, context, recipients):
    """Send ``<prefix>_subject.txt`` / ``_body.txt`` / ``_body.html`` to each recipient."""
    if not recipients:
        return 0
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    text = render_to_string(f"{template_prefix}_body.txt", context)
    html = render_to_string(f"{template_prefix}_body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, list(recipients))
    message.attach_alternative(html, "text/html")
    return message.send()


@dataclass
class Letter:
    """One e-mail to one person: ``user`` may be None for an address without an account."""

    email: str
    user: object = None
    context: dict = field(default_factory=dict)


def languages_of(users):
    """user id → the interface language the person chose (1 query); absent when they chose none."""
    from .models import Profile

    ids = [u.pk for u in users if u is not None]
    if not ids:
        return {}
    return dict(Profile.objects.filter(user_id__in=ids).exclude(language="").values_list("user_id", "language"))


def mail_after_commit(template_prefix, letters, *, by, country, cycle=None, submission=None, fallback_language=None):
    """After the current transaction commits, send each letter in its recipient's language.

    The language is the one the person chose (``Profile``), else ``fallback_language`` (the cycle's
    report language, the country's working language), else the site's default. Each e-mail sent is
    recorded as ``EMAIL_SENT``; one that fails is logged and does not stop the others.
    """
    letters = [letter for letter in letters if letter.email]
    if not letters:
        return
    kind = template_prefix.rsplit("/", 1)[-1]

    def deliver():
        from .models import AuditEvent

        chosen = languages_of([letter.user for letter in letters])
        default = fallback_language or (cycle.report_language if cycle is not None else settings.LANGUAGE_CODE)
        for letter in letters:
            language = chosen.get(getattr(letter.user, "pk", None)) or default
            try:
                with translation.override(language):
                    send_templated_mail(template_prefix, letter.context, [letter.email])
            except Exception:  # an unreachable mail server must not undo or hide what was committed
                logger.exception("Could not send the %s e-mail to %s", kind, letter.email)
                continue
            AuditEvent.objects.create(
                user=by,
                action=AuditEvent.Action.EMAIL_SENT,
                country=country,
                cycle=cycle,
                submission=submission,
                detail=f"{kind} → {letter.email} ({language})",
            )

    transaction.on_commit(deliver)
