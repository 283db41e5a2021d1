"""Demo data for `make run`: a country, its organisations, a coordinator, focal points, an observer,
a closed earlier cycle and an open cycle with questionnaires in every state. Safe to run twice.

The earlier cycle (2024) runs on MNR-2016 and the open one (2026) on the 2025 reference edition when it
and its crosswalk are loaded (`make run` loads both), so the open cycle's answers start carried forward
from 2024 through the crosswalk, partly confirmed, and the gap report compares across the versions.
"""

import random
from datetime import date, timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from assessments import services
from assessments.models import (
    Answer,
    AnswerRevision,
    Carry,
    Country,
    Cycle,
    Organisation,
    ReviewComment,
    Role,
    RoleAssignment,
    Submission,
)
from capabilities.models import Crosswalk, FrameworkVersion, Sector

NEXT_VERSION = "MNR-2016-R2025"

# A printed demo credential; the command refuses to run when DEBUG is off.
DEMO_PASSWORD = "demo-mnr-2026"  # noqa: S105  # nosec B105
COUNTRY = ("XD", "Demoland")
ORGANISATIONS = [
    ("ministry", "Ministry of Interior", "ministry"),
    ("police", "National Police — Cybercrime Unit", "law_enforcement"),
    ("prosecutor", "Office of the Public Prosecutor", "prosecution_judiciary"),
    ("welfare", "Department of Social Welfare", "child_protection"),
    ("helpline", "Demoland Child Helpline", "child_helpline"),
    ("hotline", "SafeNet Hotline", "hotline"),
    ("ngo", "Childhood First", "ngo"),
    ("telecom", "Demotel Communications", "tech_industry"),
    ("press", "National Press Council", "media_regulator"),
    ("committee", "National Committee on Child Online Protection", "national_coordinating_body"),
]
# What each organisation's questionnaire looks like in the open cycle.
STATES = {
    "ministry": ("accepted", 1.0),
    "prosecutor": ("accepted", 1.0),
    "welfare": ("returned", 1.0),
    "helpline": ("submitted", 0.9),
    "hotline": ("accepted", 1.0),
    "ngo": ("submitted", 1.0),
    "telecom": ("accepted", 0.85),
    "police": ("draft", 0.25),
    "press": ("draft", 0.0),
    "committee": ("accepted", 1.0),
}


class Command(BaseCommand):
    help = "Create demo users and data (development only) and print the logins. Safe to run twice."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates accounts with a published password; it runs only with DEBUG=1.")
        version = FrameworkVersion.objects.published().filter(code="MNR-2016").first()
        if version is None:
            raise CommandError("Load the framework first: python manage.py load_framework fixtures/mnr-2016.yaml")
        # The open cycle on the 2025 reference edition when it can be reached from MNR-2016 (else on MNR-2016).
        next_version = (
            FrameworkVersion.objects.published()
            .filter(code=NEXT_VERSION, pk__in=Crosswalk.objects.filter(source=version).values("target_id"))
            .first()
        ) or version
        # The demo's invitations, openings and returns would each print an e-mail to the console: they are
        # kept in memory instead, so the logins below are what a newcomer reads.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            with transaction.atomic():
                logins = self.seed(version, next_version)
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for username, what in logins:
            self.stdout.write(f"  {username:<22} {what}")
        self.stdout.write(
            "admin and coordinator then ask for a second-factor code: `make demo-code LOGIN=coordinator` prints it."
        )

    def user(self, username, first, last, **extra):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.example.org", **extra},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def seed(self, version, next_version):
        admin = self.user("admin", "Framework", "Admin", is_staff=True, is_superuser=True)
        country, _ = Country.objects.get_or_create(code=COUNTRY[0], defaults={"name": COUNTRY[1]})
        coordinator = self.user("coordinator", "Amina", "Rahman")
        RoleAssignment.objects.get_or_create(user=coordinator, role=Role.COORDINATOR, country=country)
        observer = self.user("observer", "Oskar", "Lind")
        RoleAssignment.objects.get_or_create(user=observer, role=Role.OBSERVER, country=country)
        # Admins and coordinators must use two-step verification: give the demo ones an authenticator
        # whose codes `python manage.py demo_code USER` prints, so nobody needs a phone to try the app.
        from django_otp.plugins.otp_totp.models import TOTPDevice

        for user in (admin, coordinator):
            if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
        logins = [
            (admin.username, "framework admin (Django admin at /admin/)"),
            (coordinator.username, f"national coordinator, {country.name}"),
            (observer.username, f"observer, {country.name}"),
        ]
        sectors = {s.code: s for s in Sector.objects.all()}
        orgs = {}
        names = [
            "Lena Ortiz",
            "Sam Okafor",
            "Priya Nair",
            "Tomás Silva",
            "Hana Sato",
            "Ivan Petrov",
            "Grace Mensah",
            "Noor Haddad",
            "Elif Kaya",
            "Marc Dubois",
        ]
        for (slug, name, sector), person in zip(ORGANISATIONS, names, strict=True):
            org, _ = Organisation.objects.get_or_create(
                country=country, name=name, defaults={"sector": sectors[sector]}
            )
            orgs[slug] = org
            first, last = person.split(" ", 1)
            fp = self.user(f"fp.{slug}", first, last)
            RoleAssignment.objects.get_or_create(user=fp, role=Role.FOCAL_POINT, organisation=org)
            logins.append((fp.username, f"focal point, {name}"))
        # A second focal point for the police, to try concurrent editing.
        fp2 = self.user("fp.police2", "Jon", "Berg")
        RoleAssignment.objects.get_or_create(user=fp2, role=Role.FOCAL_POINT, organisation=orgs["police"])
        logins.append((fp2.username, "second focal point, National Police — Cybercrime Unit"))

        today = timezone.localdate()
        rng = random.Random(2026)  # noqa: S311  # nosec B311
        if not Cycle.objects.filter(country=country, title="National MNR self-assessment 2024").exists():
            earlier = self.cycle(
                country,
                version,
                coordinator,
                "National MNR self-assessment 2024",
                "2023–2024",
                date(today.year - 2, 3, 1),
                date(today.year - 2, 6, 30),
                orgs,
            )
            for submission in earlier.submissions.select_related("organisation"):
                self.fill(submission, 1.0, rng, bias=-1)
                Submission.objects.filter(pk=submission.pk).update(
                    status=Submission.Status.ACCEPTED, submitted_at=timezone.now() - timedelta(days=600)
                )
            Cycle.objects.filter(pk=earlier.pk).update(
                status=Cycle.Status.CLOSED, closed_at=timezone.now() - timedelta(days=590)
            )
        if not Cycle.objects.filter(country=country, title="National MNR self-assessment 2026").exists():
            # Opening it carries every organisation's 2024 answers forward (assessments.carry).
            current = self.cycle(
                country,
                next_version,
                coordinator,
                "National MNR self-assessment 2026",
                "2025–2026",
                today - timedelta(days=20),
                today + timedelta(days=40),
                orgs,
            )
            slugs = {org.pk: slug for slug, org in orgs.items()}
            for submission in current.submissions.select_related("organisation"):
                status, share = STATES[slugs[submission.organisation_id]]
                # Half of the carried answers answered here are confirmed as they were, the others changed;
                # those beyond the share stay carried, not confirmed (or suggested).
                self.fill(submission, share, rng, bias=0, keep_carried=0.5)
                fields = {"status": status}
                if status != "draft":
                    fields |= {
                        "submitted_at": timezone.now() - timedelta(days=3),
                        "submitted_by": submission.organisation.roles.first().user,
                    }
                if status == "returned":
                    fields |= {
                        "return_reason": "Please add evidence for the training figures in 9.2 and 9.3.",
                        "reviewed_by": coordinator,
                        "reviewed_at": timezone.now() - timedelta(days=1),
                    }
                    self.review_comments(submission, coordinator, sent_at=fields["reviewed_at"])
                if status == "accepted":
                    fields |= {"reviewed_by": coordinator, "reviewed_at": timezone.now() - timedelta(days=1)}
                Submission.objects.filter(pk=submission.pk).update(**fields)
        # Apps above this one (the action plan, the network) add their part through a ``seed_demo`` method of
        # their AppConfig, so that dependencies keep pointing down; one may return demo logins to print.
        for config in apps.get_app_configs():
            if hasattr(config, "seed_demo"):
                logins.extend(config.seed_demo(country=country, coordinator=coordinator, orgs=orgs) or [])
        # The focal points who answered have logged in (the cycle page shows them as active, not "invited").
        get_user_model().objects.filter(
            pk__in=Answer.objects.filter(submission__cycle__country=country).values("updated_by"), last_login=None
        ).update(last_login=timezone.now() - timedelta(hours=2))
        return logins

    def review_comments(self, submission, coordinator, *, sent_at):
        """The comments the coordinator sent with the return, beside the answers they are about."""
        texts = {
            "C09.2": "What share of case workers completed the training in 2025? Please link the curriculum.",
            "C09.3": "Who signed the joint protocol, and when? Please add its title and date.",
        }
        for answer in submission.answers.filter(indicator__code__in=texts).select_related("indicator"):
            ReviewComment.objects.update_or_create(
                answer=answer,
                defaults={
                    "text": texts[answer.indicator.code],
                    "answer_version": answer.version,
                    "author": coordinator,
                    "created_at": sent_at - timedelta(hours=1),
                    "updated_at": sent_at - timedelta(hours=1),
                    "sent_at": sent_at,
                },
            )

    def cycle(self, country, version, coordinator, title, period, opens_on, closes_on, orgs):
        cycle = services.cycle_create(
            country=country,
            framework_version=version,
            title=title,
            period=period,
            opens_on=opens_on,
            closes_on=closes_on,
            by=coordinator,
        )
        for org in orgs.values():
            services.cycle_add_organisation(cycle=cycle, organisation=org, by=coordinator)
        return services.cycle_open(cycle=cycle, by=coordinator)

    def fill(self, submission, share, rng, bias, keep_carried=0.0):
        """Answer a share of the questionnaire with plausible levels; levels 3–4 get evidence.

        A carried answer in that share is confirmed as it stands with the chance ``keep_carried``, else
        changed; either way it is confirmed, as the questionnaire would record it.
        """
        answers = list(
            submission.answers.select_related("indicator").order_by("indicator__capability__number", "indicator__order")
        )
        focal = submission.organisation.roles.first().user
        now = timezone.now()
        revisions = []
        for answer in answers[: round(len(answers) * share)]:
            source = AnswerRevision.Source.WEB
            if answer.carry == Carry.PREFILLED and rng.random() < keep_carried:
                choice, evidence, source = answer.choice, answer.evidence, AnswerRevision.Source.CONFIRMED
            else:
                roll = rng.random()
                if roll < 0.05:
                    choice = "dk"
                elif roll < 0.08:
                    choice = "na"
                else:
                    choice = str(max(0, min(4, rng.choice([1, 2, 2, 3, 3, 4]) + bias)))
                evidence = ""
                if choice in ("2", "3", "4"):
                    section = rng.randint(2, 9)
                    evidence = f"Documented in the {submission.organisation.name} annual report, section {section}."
            if answer.carry in (Carry.PREFILLED, Carry.SUGGESTED):
                answer.carry, answer.confirmed_by, answer.confirmed_at = Carry.CONFIRMED, focal, now
            answer.choice, answer.evidence, answer.version = choice, evidence, answer.version + 1
            answer.updated_by, answer.updated_at = focal, now
            revisions.append(
                AnswerRevision(
                    answer=answer,
                    country_id=submission.cycle.country_id,
                    version=answer.version,
                    choice=choice,
                    evidence=evidence,
                    changed_by=focal,
                    changed_at=now,
                    source=source,
                )
            )
        Answer.objects.bulk_update(
            answers,
            ["choice", "evidence", "version", "updated_by", "updated_at", "carry", "confirmed_by", "confirmed_at"],
        )
        AnswerRevision.objects.bulk_create(revisions)
        Submission.objects.filter(pk=submission.pk).update(last_activity_at=now if revisions else None)
