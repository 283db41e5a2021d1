from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


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
