"""The REST API, version 1 (docs/api.md).

Every object is fetched through the helpers of the web pages (``assessments.access``, the plans'
``get_plan_cycle`` / ``get_action_for_user``): an object the person may not see is a 404, one they may
only read is a 403 on a write. Writes call the same services as the web views, which check the
closed-cycle and status rules inside their transaction. Writes are recorded in the audit trail with the
token that made them.
"""

from types import SimpleNamespace

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assessments import services
from assessments.access import get_answer_for_user, get_cycle_for_user, get_submission_for_user, is_focal_point
from assessments.models import Answer, AuditEvent, Cycle, Organisation, Submission
from assessments.queries import with_progress
from capabilities.models import Crosswalk, FrameworkVersion, Metric
from capabilities.queries import framework_tree, version_tags
from plans import services as plan_services
from plans.models import Plan
from plans.queries import plan_actions
from plans.views import get_action_for_user, get_plan_cycle
from reports.models import ReportJob

from . import serializers as s
from .problems import problem

PROBLEM = OpenApiResponse(description="A problem (RFC 9457).")
# An id in a URL: at most 18 digits, so a longer one is a 404 rather than an integer the database cannot hold.
ID = r"[0-9]{1,18}"


def audit_api(request, *, action, submission=None, cycle=None, detail=""):
    """An audit event naming the token that acted."""
    cycle = cycle or (submission.cycle if submission is not None else None)
    services.audit(
        user=request.user,
        action=action,
        country=cycle.country if cycle is not None else None,
        cycle=cycle,
        submission=submission,
        detail=detail,
        request=request,
        api_token=request.auth,
    )


def audit_read(request, submission):
    """Reads of an organisation's answers by anyone but its own focal points are recorded, as on the pages."""
    if not is_focal_point(request.user, submission.organisation_id):
        audit_api(request, action=AuditEvent.Action.SUBMISSION_VIEWED, submission=submission)


# The catalogue -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Published framework versions"),
    retrieve=extend_schema(summary="A framework version with its tree, metrics and tags, in the request's language"),
)
class FrameworkVersionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = FrameworkVersion.objects.published().order_by("code")
    serializer_class = s.FrameworkVersionSerializer
    filterset_fields = ["code"]
    ordering_fields = ["code", "published_at"]
    lookup_value_regex = ID

    def get_serializer_class(self):
        return s.FrameworkTreeSerializer if self.action == "retrieve" else s.FrameworkVersionSerializer

    def retrieve(self, request, *args, **kwargs):
        version = self.get_object()
        tree = framework_tree(version)
        metrics = {}
        for metric in Metric.objects.filter(version=version).prefetch_related("sectors").order_by("order", "code"):
            metric.sector_codes = sorted(sector.code for sector in metric.sectors.all())
            metrics.setdefault(metric.capability_id, []).append(metric)
        domains = {}
        capabilities = []
        for capability in tree.capabilities:
            domains.setdefault(capability.domain_id, capability.domain)
            indicators = [tree.indicators[pk] for pk in tree.indicator_ids[capability.pk]]
            capabilities.append(
                SimpleNamespace(
                    number=capability.number,
                    title=capability.title,
                    summary=capability.summary,
                    outcome=capability.outcome,
                    domain=capability.domain,
                    indicators=indicators,
                    metrics=metrics.get(capability.pk, []),
                )
            )
        shaped = SimpleNamespace(
            **{name: getattr(version, name) for name in s.FrameworkVersionSerializer.Meta.fields},
            levels=tree.levels,
            domains=sorted(domains.values(), key=lambda d: (d.order, d.code)),
            capabilities=capabilities,
            tags=version_tags(version.pk),
        )
        return Response(s.FrameworkTreeSerializer(shaped).data)


@extend_schema_view(
    list=extend_schema(summary="Crosswalks between framework versions"),
    retrieve=extend_schema(summary="A crosswalk with its entries"),
)
class CrosswalkViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Crosswalk.objects.select_related("source", "target").order_by("pk")
    filterset_fields = ["source__code", "target__code"]
    ordering_fields = ["pk"]
    lookup_value_regex = ID

    def get_serializer_class(self):
        return s.CrosswalkDetailSerializer if self.action == "retrieve" else s.CrosswalkSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("entries")
        return queryset


# A country's cycles --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="The cycles the person sees"),
    retrieve=extend_schema(summary="A cycle"),
)
class CycleViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.CycleSerializer
    filterset_fields = ["status", "country__code"]
    ordering_fields = ["opens_on", "title"]
    lookup_value_regex = ID

    def get_queryset(self):
        return Cycle.objects.visible_to(self.request.user).select_related("country", "framework_version")

    def get_object(self):
        return get_cycle_for_user(self.request, self.kwargs["pk"])

    @extend_schema(summary="The cycle's national action plan", responses={200: s.PlanSerializer, 404: PROBLEM})
    @action(detail=True, serializer_class=s.PlanSerializer, filter_backends=[], pagination_class=None)
    def plan(self, request, pk=None):
        cycle = get_plan_cycle(request, pk)
        plan = Plan.objects.filter(cycle=cycle).first()
        if plan is None:
            raise Http404("This cycle has no plan yet.")
        plan.shaped_actions = plan_actions(plan)
        return Response(s.PlanSerializer(plan).data)


# Questionnaires and answers ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="The questionnaires the person sees, with progress"),
    retrieve=extend_schema(summary="A questionnaire with its progress"),
)
class SubmissionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.SubmissionSerializer
    filterset_fields = ["cycle", "status"]
    ordering_fields = ["organisation__name", "submitted_at"]
    lookup_value_regex = ID

    def get_queryset(self):
        return with_progress(
            Submission.objects.visible_to(self.request.user).select_related("organisation__sector")
        ).order_by("cycle", "organisation__name")

    def retrieve(self, request, pk=None):
        submission = get_submission_for_user(request, pk)
        counted = with_progress(Submission.objects.filter(pk=submission.pk)).get()
        return Response(s.SubmissionSerializer(counted).data)


class CycleOrganisationsView(generics.ListAPIView):
    """The cycle's organisations whose questionnaires the person sees (none for an observer, as on the page)."""

    serializer_class = s.OrganisationSerializer
    filter_backends = []

    @extend_schema(summary="The cycle's organisations whose questionnaires the person sees")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's look at the model
            return Organisation.objects.none()
        cycle = get_cycle_for_user(self.request, self.kwargs["pk"])
        visible = Submission.objects.visible_to(self.request.user).filter(cycle=cycle)
        return Organisation.objects.filter(pk__in=visible.values("organisation_id")).select_related("sector")


class CycleSubmissionsView(generics.ListAPIView):
    serializer_class = s.SubmissionSerializer
    filterset_fields = ["status"]
    ordering_fields = ["organisation__name", "submitted_at"]

    @extend_schema(summary="The cycle's questionnaires the person sees, with progress")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's look at the model
            return Submission.objects.none()
        cycle = get_cycle_for_user(self.request, self.kwargs["pk"])
        submissions = Submission.objects.visible_to(self.request.user).filter(cycle=cycle)
        return with_progress(submissions.select_related("organisation__sector")).order_by("organisation__name")


class CycleReportJobsView(generics.ListAPIView):
    serializer_class = s.ReportJobSerializer
    filterset_fields = ["status"]
    ordering_fields = ["created_at"]

    @extend_schema(summary="The cycle's gap report jobs (the national coordinator's)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's look at the model
            return ReportJob.objects.none()
        cycle = get_cycle_for_user(self.request, self.kwargs["pk"], manage=True)
        return ReportJob.objects.filter(cycle=cycle).defer("data").order_by("-created_at", "-pk")


class SubmissionAnswersView(generics.ListAPIView):
    serializer_class = s.AnswerSerializer
    filterset_fields = ["choice"]
    ordering_fields = ["updated_at"]

    @extend_schema(summary="The questionnaire's answers")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's look at the model
            return Answer.objects.none()
        submission = get_submission_for_user(self.request, self.kwargs["pk"])
        audit_read(self.request, submission)
        return (
            Answer.objects.filter(submission=submission)
            .select_related("indicator")
            .order_by("indicator__capability__number", "indicator__order", "pk")
        )


def etag(answer):
    return f'"{answer.version}"'


def if_match_version(header):
    """The version named by ``If-Match: "3"`` (or ``W/"3"``); None when it names none."""
    value = header.strip().removeprefix("W/").strip('"')
    return int(value) if value.isdigit() else None


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag of the answer read, e.g. "3": a stale one gets 412 with the current answer.',
)


class AnswerView(generics.GenericAPIView):
    """One answer. GET gives it with its version as ETag; PUT replaces it if the version still matches."""

    serializer_class = s.AnswerSerializer
    filter_backends = []
    pagination_class = None

    def _answer(self, write=False):
        return get_answer_for_user(self.request, self.kwargs["pk"], self.kwargs["answer_pk"], write=write)

    @extend_schema(
        operation_id="submissions_answer_retrieve",
        summary="An answer (its version is the ETag)",
        responses={200: s.AnswerSerializer, 404: PROBLEM},
    )
    def get(self, request, pk, answer_pk):
        answer = self._answer()
        audit_read(request, answer.submission)
        return Response(s.AnswerSerializer(answer).data, headers={"ETag": etag(answer)})

    @extend_schema(
        operation_id="submissions_answer_update",
        summary="Save an answer (a focal point of the organisation, while the questionnaire can be answered)",
        parameters=[IF_MATCH],
        request=s.AnswerWriteSerializer,
        responses={
            200: s.AnswerSerializer,
            400: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            412: OpenApiResponse(s.AnswerSerializer, description="Stale If-Match: the answer as it is now."),
            428: PROBLEM,
        },
    )
    def put(self, request, pk, answer_pk):
        answer = self._answer(write=True)
        if "If-Match" not in request.headers:
            return problem(
                status.HTTP_428_PRECONDITION_REQUIRED,
                _("Send If-Match with the ETag of the answer you read, so that nobody's change is overwritten."),
            )
        body = s.AnswerWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        base_version = if_match_version(request.headers["If-Match"])
        if base_version is None or base_version != answer.version:
            return self._stale(answer)
        try:
            with transaction.atomic():
                result = services.answer_save(
                    answer=answer,
                    choice=body.validated_data["choice"],
                    evidence=body.validated_data["evidence"],
                    comment=body.validated_data["comment"],
                    base_version=base_version,
                    by=request.user,
                )
                if result.changed:
                    audit_api(
                        request,
                        action=AuditEvent.Action.API_WRITE,
                        submission=answer.submission,
                        detail=f"answer {answer.indicator.code} v{result.answer.version}",
                    )
        except services.AnswerConflict as conflict:
            return self._stale(conflict.current)
        saved = result.answer
        return Response(s.AnswerSerializer(saved).data, headers={"ETag": etag(saved)})

    @staticmethod
    def _stale(current):
        current = Answer.objects.select_related("indicator").get(pk=current.pk)
        return Response(
            s.AnswerSerializer(current).data,
            status=status.HTTP_412_PRECONDITION_FAILED,
            headers={"ETag": etag(current)},
        )


# Reports and action plans --------------------------------------------------------------------------------


class ReportJobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ReportJobDataSerializer
    lookup_value_regex = ID

    @extend_schema(summary="A report job's frozen data: the numbers behind its PDF (the national coordinator's)")
    def retrieve(self, request, pk=None):
        job = ReportJob.objects.filter(pk=pk).first()
        if job is None:
            raise Http404
        # Scoped through the cycle, as the report pages: 404 when invisible, 403 when only readable.
        get_cycle_for_user(request, job.cycle_id, manage=True)
        return Response(s.ReportJobDataSerializer(job).data)


class ActionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ActionSerializer
    lookup_value_regex = ID

    @extend_schema(summary="An action of a national action plan")
    def retrieve(self, request, pk=None):
        found = get_action_for_user(request, pk)
        shaped = plan_actions(found.plan, pk=found.pk)[0]
        return Response(s.ActionSerializer(shaped).data)

    @extend_schema(
        summary="Report progress on an action (focal points of the lead organisation, or the coordinator)",
        request=s.ProgressWriteSerializer,
        responses={201: s.ProgressUpdateSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM},
    )
    @action(detail=True, methods=["post"], serializer_class=s.ProgressWriteSerializer)
    def progress(self, request, pk=None):
        found = get_action_for_user(request, pk, progress=True)
        body = s.ProgressWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            update = plan_services.progress_post(action=found, by=request.user, request=request, **body.validated_data)
            audit_api(
                request,
                action=AuditEvent.Action.API_WRITE,
                cycle=found.plan.cycle,
                detail=f"action {found.pk}: update {update.status} {update.progress}%",
            )
        return Response(s.ProgressUpdateSerializer(update).data, status=status.HTTP_201_CREATED)
