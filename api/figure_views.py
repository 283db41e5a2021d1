"""Figures through the API (docs/api.md): what an organisation reports per metric and year with its
questionnaire, and the coordinator's validated national figures.

Scoped and written as on the pages: a questionnaire's figures through ``get_submission_for_user`` and
``assessments.figures.figures_save`` / ``figure_delete`` (focal points of the organisation, while the
questionnaire can be changed); national figures through the national-data page's ``get_analysis_cycle``
(coordinators and observers read) and ``get_cycle_for_user(manage=True)`` with
``reports.figures.national_figure_set`` (the coordinator writes, while the cycle is open).

Every write is conditional, as an answer's: ``If-Match`` with the ETag read (or ``If-None-Match: *`` to
create a figure that does not exist yet); without either 428, and 412 with the current state when the
ETag is stale. The condition is checked after the service's lock is taken, inside the write's
transaction, so that two systems writing at once cannot both win.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import figures as reported
from assessments.access import get_cycle_for_user, get_submission_for_user
from assessments.models import AuditEvent, MetricValue
from assessments.services import cycle_lock_for_change, submission_lock_answerable
from capabilities.models import Metric
from reports import figures as national
from reports.models import NationalFigure
from reports.views import get_analysis_cycle

from . import serializers as s
from .problems import problem
from .views import PROBLEM, audit_api

# An If-Match on a figure, or on a questionnaire's set of figures; If-None-Match: * creates.
CONDITION = [
    OpenApiParameter(
        "If-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description='The ETag read, e.g. "3f1c…": a stale one gets 412 with the current state.',
    ),
    OpenApiParameter(
        "If-None-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="`*` to create a figure that does not exist yet (412 if it does).",
    ),
]
IF_MATCH_SET = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the questionnaire's figures (GET …/figures/): 412 with the current figures when stale.",
)
NO_FIGURE = OpenApiResponse(description="Deleted.")
# A problem body (the schema's postprocessing hook makes it the Problem component).
NO_SUCH_FIGURE = OpenApiResponse(OpenApiTypes.OBJECT, description="If-Match named a figure that does not exist yet.")
MISSING = OpenApiResponse(description="Neither If-Match nor If-None-Match: * was sent.")


def _digest(*parts):
    return '"' + hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:20] + '"'


def figure_etag(figure):
    """A reported figure's ETag: a digest of what it says (its value, "not collected", source and note)."""
    return _digest(figure.value, figure.not_collected, figure.source, figure.confidence)


def national_etag(figure):
    return _digest(figure.value, figure.not_collected, figure.rationale)


def figures_etag(figures):
    """The ETag of a questionnaire's figures as a whole (``figures`` in metric code and year order)."""
    return _digest(*(f"{f.metric.code}:{f.year}:{figure_etag(f)}" for f in figures))


def _tags(header):
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def condition_missing(request):
    return "If-Match" not in request.headers and "If-None-Match" not in request.headers


def condition_holds(request, current_etag):
    """Whether If-Match / If-None-Match hold for the current state (``current_etag`` None: nothing yet)."""
    if "If-Match" in request.headers:
        tags = _tags(request.headers["If-Match"])
        if current_etag is None or not ("*" in tags or current_etag in tags):
            return False
    if "If-None-Match" in request.headers:
        tags = _tags(request.headers["If-None-Match"])
        if current_etag is not None and ("*" in tags or current_etag in tags):
            return False
    return True


def precondition_required():
    return problem(
        status.HTTP_428_PRECONDITION_REQUIRED,
        _(
            "Send If-Match with the ETag of the figure you read, or If-None-Match: * to create one, "
            "so that nobody's change is overwritten."
        ),
    )


def stale(serializer_class, current):
    """412: the figure as it is now (or a problem saying that there is none)."""
    if current is None:
        return problem(
            status.HTTP_412_PRECONDITION_FAILED,
            _("There is no such figure yet: send If-None-Match: * to create it."),
        )
    return Response(
        serializer_class(current).data, status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": current.etag}
    )


def _shaped(figure, etag):
    figure.etag = etag(figure)
    return figure


def _metric(version_id, code, *, sector_id=None):
    metrics = Metric.objects.filter(version_id=version_id, code=code)
    if sector_id is not None:
        metrics = metrics.filter(sectors=sector_id)
    metric = metrics.first()
    if metric is None:
        raise Http404(_("No such metric for this questionnaire."))
    return metric


def _reported(submission):
    return [
        _shaped(f, figure_etag)
        for f in MetricValue.objects.filter(submission=submission)
        .select_related("metric")
        .order_by("metric__code", "year")
    ]


def _set(figures):
    return {"etag": figures_etag(figures), "figures": figures}


def _flatten(errors, prefix=""):
    """DRF's nested errors as ``{"figures[2].value": ["…"]}``."""
    flat = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if prefix and str(key).isdigit():  # a list's item, by its position
                flat.update(_flatten(value, f"{prefix}[{key}]"))
            else:
                flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(errors, list) and errors and all(isinstance(e, (dict, list)) for e in errors):
        for i, value in enumerate(errors):
            flat.update(_flatten(value, f"{prefix}[{i}]"))
    elif errors:
        flat[prefix or "non_field_errors"] = [str(e) for e in (errors if isinstance(errors, list) else [errors])]
    return flat


def _locked_submission(submission):
    """The questionnaire locked for the write; PermissionDenied (403) when it can no longer be changed."""
    return submission_lock_answerable(submission.pk), None


def _locked_cycle(cycle):
    """The cycle locked for the write; 409 when it is closed (its national figures are final)."""
    try:
        return cycle_lock_for_change(cycle.pk), None
    except ValidationError as exc:
        return None, problem(status.HTTP_409_CONFLICT, exc.messages[0])


def conditional_write(request, *, lock, current_of, serializer_class, write, absent=None):
    """One figure's write under its condition, for a reported and a national figure alike.

    Inside one transaction: ``lock()`` takes the owner's lock (``(locked, None)``, or ``(None, problem)`` when the
    owner refuses the write); ``current_of(locked)`` reads ``(metric, figure or None)`` after the lock, so the ETag
    compared is the one no other writer can change any more; ``write(locked, metric, figure)`` saves and audits.
    A delete passes ``absent``, the 404 message for a figure that does not exist, and gets 204; a put gets the
    figure as saved, with its ETag.
    """
    with transaction.atomic():
        locked, refused = lock()
        if refused:
            return refused
        metric, current = current_of(locked)
        if current is None and absent is not None:
            raise Http404(absent)
        if not condition_holds(request, current.etag if current else None):
            return stale(serializer_class, current)
        write(locked, metric, current)
        if absent is not None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        _metric, saved = current_of(locked)
    return Response(serializer_class(saved).data, headers={"ETag": saved.etag})


# A questionnaire's reported figures ------------------------------------------------------------------


class SubmissionFiguresView(APIView):
    """GET: the questionnaire's figures with the set's ETag. POST: report several figures at once."""

    @extend_schema(
        operation_id="submissions_figures_list",
        summary="The figures the organisation reported with its questionnaire (the set's ETag in `etag`)",
        responses={200: s.ReportedFiguresSerializer, 404: PROBLEM},
    )
    def get(self, request, pk):
        submission = get_submission_for_user(request, pk)
        figures = _reported(submission)
        return Response(s.ReportedFiguresSerializer(_set(figures)).data, headers={"ETag": figures_etag(figures)})

    @extend_schema(
        operation_id="submissions_figures_report",
        summary="Report figures, e.g. a year's (focal points of the organisation, while the questionnaire can be "
        "changed): all are saved or none, every problem listed",
        parameters=[IF_MATCH_SET],
        request=s.FiguresWriteSerializer,
        responses={
            200: s.FiguresSavedSerializer,
            400: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            412: OpenApiResponse(
                s.ReportedFiguresSerializer, description="Stale If-Match: the figures as they are now."
            ),
            428: MISSING,
        },
    )
    def post(self, request, pk):
        submission = get_submission_for_user(request, pk, write=True)
        if "If-Match" not in request.headers:
            return problem(
                status.HTTP_428_PRECONDITION_REQUIRED,
                _(
                    "Send If-Match with the ETag of the figures you read (GET …/figures/), so that nobody's change is "
                    "overwritten."
                ),
            )
        body = s.FiguresWriteSerializer(data=request.data)
        if not body.is_valid():
            return self._refused(_flatten(body.errors))
        with transaction.atomic():
            locked, _refused = _locked_submission(submission)
            current = _reported(locked)
            if not condition_holds(request, figures_etag(current)):
                return Response(
                    s.ReportedFiguresSerializer(_set(current)).data,
                    status=status.HTTP_412_PRECONDITION_FAILED,
                    headers={"ETag": figures_etag(current)},
                )
            inputs, problems = self._inputs(locked, body.validated_data["figures"])
            if problems:
                return self._refused(problems)
            changed = reported.figures_save(
                submission=locked, figures=inputs, by=request.user, request=request, source="api"
            )
            audit_api(
                request,
                action=AuditEvent.Action.API_WRITE,
                submission=locked,
                detail=f"figures: {changed} of {len(inputs)} changed",
            )
            figures = _reported(locked)
        body = {"changed": changed, **_set(figures)}
        return Response(s.FiguresSavedSerializer(body).data, headers={"ETag": figures_etag(figures)})

    @staticmethod
    def _inputs(submission, items):
        """Each item checked as the page and the workbook check a figure; ``(inputs, {"figures[i]": [...]})``."""
        metrics = {m.code: m for m in reported.metrics_for(submission)}
        inputs, problems, seen = [], {}, {}
        for i, item in enumerate(items):
            key = f"figures[{i}]"
            metric = metrics.get(item["metric"])
            if metric is None:
                problems[f"{key}.metric"] = [
                    _("%(metric)s is not reported by this organisation's sector.") % {"metric": item["metric"]}
                ]
                continue
            if (metric.code, item["year"]) in seen:
                problems[key] = [
                    _("%(metric)s %(year)s is already given in figures[%(first)s].")
                    % {"metric": metric.code, "year": item["year"], "first": seen[(metric.code, item["year"])]}
                ]
                continue
            seen[(metric.code, item["year"])] = i
            try:
                inputs.append(
                    reported.figure_input(
                        metric=metric,
                        year=item["year"],
                        value=item["value"],
                        not_collected=item["not_collected"],
                        source=item["source"],
                        confidence=item["confidence"],
                    )
                )
            except ValidationError as exc:
                problems[key] = exc.messages
        return inputs, problems

    @staticmethod
    def _refused(problems):
        n = len(problems)
        return problem(
            status.HTTP_400_BAD_REQUEST,
            ngettext(
                "%(n)d problem in the figures sent; nothing was saved.",
                "%(n)d problems in the figures sent; nothing was saved.",
                n,
            )
            % {"n": n},
            errors=problems,
        )


class SubmissionFigureView(APIView):
    """One reported figure, by metric code and year: GET with its ETag, PUT (create or replace), DELETE."""

    def _get(self, submission, metric_code, year):
        metric = _metric(
            submission.cycle.framework_version_id, metric_code, sector_id=submission.organisation.sector_id
        )
        figure = MetricValue.objects.filter(submission=submission, metric=metric, year=year).select_related("metric")
        found = figure.first()
        return metric, _shaped(found, figure_etag) if found is not None else None

    @extend_schema(
        operation_id="submissions_figure_retrieve",
        summary="A reported figure (its ETag in the header and in `etag`)",
        responses={200: s.ReportedFigureSerializer, 404: PROBLEM},
    )
    def get(self, request, pk, metric, year):
        submission = get_submission_for_user(request, pk)
        _metric_row, figure = self._get(submission, metric, year)
        if figure is None:
            raise Http404(_("No figure was reported for this metric and year."))
        return Response(s.ReportedFigureSerializer(figure).data, headers={"ETag": figure.etag})

    @extend_schema(
        operation_id="submissions_figure_update",
        summary="Report a figure (focal points of the organisation, while the questionnaire can be changed)",
        parameters=CONDITION,
        request=s.FigureWriteSerializer,
        responses={
            200: s.ReportedFigureSerializer,
            400: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            (412, "application/json"): OpenApiResponse(
                s.ReportedFigureSerializer, description="Stale ETag: the figure as it is now."
            ),
            (412, "application/problem+json"): NO_SUCH_FIGURE,
            428: MISSING,
        },
    )
    def put(self, request, pk, metric, year):
        submission = get_submission_for_user(request, pk, write=True)
        if condition_missing(request):
            return precondition_required()
        body = s.FigureWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        def write(locked, metric_row, _current):
            figure = reported.figure_input(metric=metric_row, year=year, **body.validated_data)
            if reported.figures_save(
                submission=locked, figures=[figure], by=request.user, request=request, source="api"
            ):
                audit_api(
                    request,
                    action=AuditEvent.Action.API_WRITE,
                    submission=locked,
                    detail=f"figure {metric_row.code} {year}",
                )

        return conditional_write(
            request,
            lock=lambda: _locked_submission(submission),
            current_of=lambda locked: self._get(locked, metric, year),
            serializer_class=s.ReportedFigureSerializer,
            write=write,
        )

    @extend_schema(
        operation_id="submissions_figure_destroy",
        summary="Remove a reported figure (focal points of the organisation, while the questionnaire can be changed)",
        parameters=CONDITION[:1],
        responses={
            204: NO_FIGURE,
            403: PROBLEM,
            404: PROBLEM,
            (412, "application/json"): OpenApiResponse(
                s.ReportedFigureSerializer, description="Stale ETag: the figure as it is now."
            ),
            (412, "application/problem+json"): NO_SUCH_FIGURE,
            428: MISSING,
        },
    )
    def delete(self, request, pk, metric, year):
        submission = get_submission_for_user(request, pk, write=True)
        if "If-Match" not in request.headers:
            return precondition_required()

        def write(locked, metric_row, current):
            reported.figure_delete(submission=locked, figure_pk=current.pk, by=request.user, request=request)
            audit_api(
                request,
                action=AuditEvent.Action.API_WRITE,
                submission=locked,
                detail=f"figure {metric_row.code} {year} removed",
            )

        return conditional_write(
            request,
            lock=lambda: _locked_submission(submission),
            current_of=lambda locked: self._get(locked, metric, year),
            serializer_class=s.ReportedFigureSerializer,
            write=write,
            absent=_("No figure was reported for this metric and year."),
        )


# A cycle's national figures ----------------------------------------------------------------------------


def _national(cycle):
    return NationalFigure.objects.filter(cycle=cycle).select_related("metric").order_by("metric__code", "year")


class CycleNationalFiguresView(generics.ListAPIView):
    """The cycle's validated national figures, as the national-data page shows them."""

    serializer_class = s.NationalFigureSerializer
    filterset_fields = ["year"]
    ordering_fields = ["year", "set_at"]

    @extend_schema(summary="The cycle's validated national figures (its coordinator and observers)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's look at the model
            return NationalFigure.objects.none()
        return _national(get_analysis_cycle(self.request, self.kwargs["pk"]))

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        for figure in page if page is not None else []:
            _shaped(figure, national_etag)
        return page


class CycleNationalFigureView(APIView):
    """One national figure, by metric code and year: GET, PUT (validate it), DELETE (clear it)."""

    def _get(self, cycle, metric_code, year):
        metric = _metric(cycle.framework_version_id, metric_code)
        found = _national(cycle).filter(metric=metric, year=year).first()
        return metric, _shaped(found, national_etag) if found is not None else None

    @extend_schema(
        operation_id="cycles_national_figure_retrieve",
        summary="A validated national figure (its ETag in the header and in `etag`)",
        responses={200: s.NationalFigureSerializer, 403: PROBLEM, 404: PROBLEM},
    )
    def get(self, request, pk, metric, year):
        cycle = get_analysis_cycle(request, pk)
        _metric_row, figure = self._get(cycle, metric, year)
        if figure is None:
            raise Http404(_("No national figure was validated for this metric and year."))
        return Response(s.NationalFigureSerializer(figure).data, headers={"ETag": figure.etag})

    @extend_schema(
        operation_id="cycles_national_figure_update",
        summary="Validate a national figure, with its rationale (the coordinator, while the cycle is open)",
        parameters=CONDITION,
        request=s.NationalFigureWriteSerializer,
        responses={
            200: s.NationalFigureSerializer,
            400: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            409: OpenApiResponse(description="The cycle is closed: its national figures are final."),
            (412, "application/json"): OpenApiResponse(
                s.NationalFigureSerializer, description="Stale ETag: the figure as it is now."
            ),
            (412, "application/problem+json"): NO_SUCH_FIGURE,
            428: MISSING,
        },
    )
    def put(self, request, pk, metric, year):
        cycle = get_cycle_for_user(request, pk, manage=True)
        if condition_missing(request):
            return precondition_required()
        body = s.NationalFigureWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data["value"] is None and not body.validated_data["not_collected"]:
            # The service reads "no value" as "clear": through the API that is DELETE, never an empty PUT.
            raise DrfValidationError(
                {"value": [_("Give the figure, or set not_collected: a figure that is not collected is never a zero.")]}
            )

        def write(locked, metric_row, _current):
            national.national_figure_set(
                cycle=locked, metric=metric_row, year=year, by=request.user, request=request, **body.validated_data
            )
            audit_api(
                request,
                action=AuditEvent.Action.API_WRITE,
                cycle=locked,
                detail=f"national figure {metric_row.code} {year}",
            )

        return conditional_write(
            request,
            lock=lambda: _locked_cycle(cycle),
            current_of=lambda locked: self._get(locked, metric, year),
            serializer_class=s.NationalFigureSerializer,
            write=write,
        )

    @extend_schema(
        operation_id="cycles_national_figure_destroy",
        summary="Clear a validated national figure (the coordinator, while the cycle is open)",
        parameters=CONDITION[:1],
        responses={
            204: NO_FIGURE,
            403: PROBLEM,
            404: PROBLEM,
            409: OpenApiResponse(description="The cycle is closed: its national figures are final."),
            (412, "application/json"): OpenApiResponse(
                s.NationalFigureSerializer, description="Stale ETag: the figure as it is now."
            ),
            (412, "application/problem+json"): NO_SUCH_FIGURE,
            428: MISSING,
        },
    )
    def delete(self, request, pk, metric, year):
        cycle = get_cycle_for_user(request, pk, manage=True)
        if "If-Match" not in request.headers:
            return precondition_required()

        def write(locked, metric_row, _current):
            national.national_figure_set(
                cycle=locked,
                metric=metric_row,
                year=year,
                value=None,
                not_collected=False,
                rationale="",
                by=request.user,
                request=request,
            )
            audit_api(
                request,
                action=AuditEvent.Action.API_WRITE,
                cycle=locked,
                detail=f"national figure {metric_row.code} {year} cleared",
            )

        return conditional_write(
            request,
            lock=lambda: _locked_cycle(cycle),
            current_of=lambda locked: self._get(locked, metric, year),
            serializer_class=s.NationalFigureSerializer,
            write=write,
            absent=_("No national figure was validated for this metric and year."),
        )
