"""One serializer per resource. Texts of the framework come in the request's language (Accept-Language),
falling back to English, as on the pages (modeltranslation resolves them when read)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.models import Answer, Choice, Cycle, MetricValue, Organisation, Submission
from capabilities.models import Crosswalk, CrosswalkEntry, FrameworkVersion, Metric
from plans.models import Action, Plan, ProgressUpdate
from reports.models import NationalFigure, ReportJob


class FrameworkVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = FrameworkVersion
        fields = ["id", "code", "title", "description", "status", "published_at"]


class LevelSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()


class DescriptorSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    text = serializers.CharField()


class IndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    question = serializers.CharField()
    guidance = serializers.CharField()
    weight = serializers.IntegerField()
    descriptors = DescriptorSerializer(many=True, source="descriptors.all")


class MetricSerializer(serializers.Serializer):
    """An outcome figure reported per year beside the capability (name and definition in the request's language)."""

    code = serializers.CharField()
    name = serializers.CharField()
    definition = serializers.CharField()
    unit = serializers.ChoiceField(choices=Metric.Unit.choices)
    higher_is_better = serializers.BooleanField()
    sectors = serializers.ListField(
        child=serializers.CharField(), source="sector_codes", help_text="Codes of the sectors that report it."
    )


class CapabilitySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    outcome = serializers.CharField()
    domain = serializers.CharField(source="domain.code")
    indicators = IndicatorSerializer(many=True)
    metrics = MetricSerializer(many=True)


class DomainSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    outcome = serializers.CharField()


class TagSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    lens = serializers.CharField()
    capabilities = serializers.ListField(child=serializers.IntegerField())


class FrameworkTreeSerializer(FrameworkVersionSerializer):
    """A version with its tree: levels, domains, capabilities with indicators and descriptors, tags."""

    levels = LevelSerializer(many=True)
    domains = DomainSerializer(many=True)
    capabilities = CapabilitySerializer(many=True)
    tags = TagSerializer(many=True)

    class Meta(FrameworkVersionSerializer.Meta):
        fields = [*FrameworkVersionSerializer.Meta.fields, "levels", "domains", "capabilities", "tags"]


class CrosswalkEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = CrosswalkEntry
        fields = ["kind", "source_code", "target_code", "relation", "note"]


class CrosswalkSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.code")
    target = serializers.CharField(source="target.code")

    class Meta:
        model = Crosswalk
        fields = ["id", "source", "target", "note"]


class CrosswalkDetailSerializer(CrosswalkSerializer):
    entries = CrosswalkEntrySerializer(many=True)

    class Meta(CrosswalkSerializer.Meta):
        fields = [*CrosswalkSerializer.Meta.fields, "entries"]


class CycleSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")
    framework_version = serializers.CharField(source="framework_version.code")

    class Meta:
        model = Cycle
        fields = [
            "id",
            "country",
            "framework_version",
            "title",
            "period",
            "opens_on",
            "closes_on",
            "status",
            "report_language",
            "opened_at",
            "closed_at",
        ]


class OrganisationSerializer(serializers.ModelSerializer):
    sector = serializers.CharField(source="sector.code")

    class Meta:
        model = Organisation
        fields = ["id", "name", "sector"]


class SubmissionSerializer(serializers.ModelSerializer):
    """A questionnaire with its progress: answers counted (carried answers awaiting confirmation are not)."""

    organisation = OrganisationSerializer()
    answers_total = serializers.IntegerField(source="n_total")
    answers_counted = serializers.IntegerField(source="n_answered")
    answers_carried = serializers.IntegerField(source="n_carried")
    percent = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "cycle",
            "organisation",
            "status",
            "submitted_at",
            "answers_total",
            "answers_counted",
            "answers_carried",
            "percent",
        ]

    def get_percent(self, submission) -> int:
        return round(100 * submission.n_answered / submission.n_total) if submission.n_total else 0


class AnswerSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")

    class Meta:
        model = Answer
        fields = ["id", "indicator", "choice", "evidence", "comment", "version", "carry", "updated_at"]


class AnswerWriteSerializer(serializers.Serializer):
    """A whole answer: the version it replaces is the request's If-Match, not a field."""

    choice = serializers.ChoiceField(choices=Choice.choices, allow_blank=True)
    evidence = serializers.CharField(allow_blank=True, required=False, default="", max_length=20000)
    comment = serializers.CharField(allow_blank=True, required=False, default="", max_length=20000)


class ReportJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportJob
        fields = ["id", "cycle", "status", "language", "created_at", "finished_at", "pages"]


class ReportJobDataSerializer(ReportJobSerializer):
    """The frozen numbers of a report job: exactly what its PDF was rendered from."""

    data = serializers.JSONField()

    class Meta(ReportJobSerializer.Meta):
        fields = [*ReportJobSerializer.Meta.fields, "data"]


class ProgressUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressUpdate
        fields = ["id", "status", "progress", "note", "evidence", "spent", "at"]


class ActionSerializer(serializers.ModelSerializer):
    capability = serializers.IntegerField(source="capability.number")
    lead_organisation = serializers.PrimaryKeyRelatedField(read_only=True)
    funded = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    latest = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "title",
            "description",
            "capability",
            "lead_organisation",
            "starts_on",
            "due_on",
            "priority",
            "status",
            "progress",
            "estimated_cost",
            "funded",
            "version",
            "latest",
        ]

    @extend_schema_field(ProgressUpdateSerializer(allow_null=True))
    def get_latest(self, action):
        return ProgressUpdateSerializer(action.latest).data if action.latest else None


class PlanSerializer(serializers.ModelSerializer):
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["id", "cycle", "currency", "revision", "actions"]

    @extend_schema_field(ActionSerializer(many=True))
    def get_actions(self, plan):
        return ActionSerializer(plan.shaped_actions, many=True).data


class ProgressWriteSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Action.Status.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    note = serializers.CharField(max_length=5000)
    evidence = serializers.CharField(allow_blank=True, required=False, default="", max_length=5000)


# Figures: what an organisation reports per metric and year, and the coordinator's validated national figures.
# A value is a decimal number as text ("1250", "87.5"); "not collected" has none (a data gap, never a zero).

FIGURE_VALUE = {"max_digits": 16, "decimal_places": 2, "allow_null": True, "required": False, "default": None}


class ReportedFigureSerializer(serializers.ModelSerializer):
    metric = serializers.CharField(source="metric.code")
    etag = serializers.CharField(help_text="The figure's ETag, for If-Match on its own URL.")

    class Meta:
        model = MetricValue
        fields = ["metric", "year", "value", "not_collected", "source", "confidence", "updated_at", "etag"]


class ReportedFiguresSerializer(serializers.Serializer):
    """A questionnaire's figures; ``etag`` is the whole set's, for If-Match on a bulk write."""

    etag = serializers.CharField()
    figures = ReportedFigureSerializer(many=True)


class FigureWriteSerializer(serializers.Serializer):
    """One figure: a value, or ``not_collected`` with none. The unit and range are the metric's."""

    value = serializers.DecimalField(**FIGURE_VALUE)
    not_collected = serializers.BooleanField(required=False, default=False)
    source = serializers.CharField(allow_blank=True, required=False, default="", max_length=300)
    confidence = serializers.CharField(allow_blank=True, required=False, default="", max_length=5000)


class FigureItemSerializer(FigureWriteSerializer):
    metric = serializers.CharField(max_length=20, help_text="The metric's code, e.g. M01.1.")
    year = serializers.IntegerField(min_value=0, max_value=9999)


class FiguresWriteSerializer(serializers.Serializer):
    """Several figures at once: all are saved, or none (every problem is listed, by position)."""

    figures = FigureItemSerializer(many=True, min_length=1, max_length=1000)


class FiguresSavedSerializer(ReportedFiguresSerializer):
    changed = serializers.IntegerField(help_text="How many of the figures sent changed something.")


class NationalFigureSerializer(serializers.ModelSerializer):
    metric = serializers.CharField(source="metric.code")
    etag = serializers.CharField(help_text="The figure's ETag, for If-Match on its own URL.")

    class Meta:
        model = NationalFigure
        fields = ["metric", "year", "value", "not_collected", "rationale", "set_at", "etag"]


class NationalFigureWriteSerializer(serializers.Serializer):
    value = serializers.DecimalField(**FIGURE_VALUE)
    not_collected = serializers.BooleanField(required=False, default=False)
    rationale = serializers.CharField(max_length=5000, help_text="Why: printed beside the figure in the report.")
