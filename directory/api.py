"""The directory's API: the ranking with its explanation as data, and the entries themselves."""

from datetime import date

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from assessments.profile import Constraints, NeedPriority, NeedsProfile, SupportMode
from pasip.api import SlugRelatedField, role_permission
from people.models import Person
from territory.models import Commune

from . import policies, services
from .enums import Language, Service, SpecificNeed, SupportFormat
from .matching import advisors_rank
from .models import Advisor

SUPPORT_MODES = [SupportMode.DO_FOR, SupportMode.DO_WITH, SupportMode.TEACH]


class NeedPrioritySerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Service.choices)
    priority = serializers.IntegerField(min_value=1, max_value=9, default=1)


class ConstraintsSerializer(serializers.Serializer):
    max_travel_km = serializers.FloatField(min_value=0, required=False, allow_null=True)
    home_visit = serializers.BooleanField(default=False)
    remote_phone = serializers.BooleanField(default=False)
    remote_video = serializers.BooleanField(default=False)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices), default=["fr"]
    )
    specific_needs = serializers.ListField(
        child=serializers.ChoiceField(choices=SpecificNeed.choices), default=list
    )


class ProfileSerializer(serializers.Serializer):
    needs = NeedPrioritySerializer(many=True, allow_empty=False)
    support_mode = serializers.ChoiceField(choices=SUPPORT_MODES, default=SupportMode.DO_WITH)
    urgent = serializers.BooleanField(default=False)
    constraints = ConstraintsSerializer(required=False)

    def to_profile(self, data):
        constraints = dict(data.get("constraints") or {})
        for name in ("languages", "specific_needs"):
            if name in constraints:
                constraints[name] = tuple(constraints[name])
        return NeedsProfile(
            needs=tuple(NeedPriority(n["category"], n["priority"]) for n in data["needs"]),
            support_mode=data["support_mode"],
            urgent=data["urgent"],
            constraints=Constraints(**constraints),
        )


class RankingRequestSerializer(serializers.Serializer):
    """Either `needs` (a bare list, all of top priority) or a full `profile`."""

    commune = SlugRelatedField(slug_field="insee", queryset=Commune.objects.all())
    needs = serializers.ListField(
        child=serializers.ChoiceField(choices=Service.choices), required=False, allow_empty=False
    )
    profile = ProfileSerializer(required=False)
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(), required=False, allow_null=True
    )
    exclude = serializers.ListField(child=serializers.IntegerField(), default=list)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["person"].queryset = Person.objects.visible_to(request.user)

    def validate(self, data):
        if "profile" in data:
            data["profile"] = ProfileSerializer().to_profile(data["profile"])
        elif data.get("needs"):
            data["profile"] = NeedsProfile.from_categories(data["needs"])
        else:
            raise serializers.ValidationError({"needs": ["Indiquez au moins un besoin."]})
        return data

    def rank(self):
        data = self.validated_data
        return advisors_rank(
            profile=data["profile"],
            commune=data["commune"],
            exclude=data["exclude"],
            person=data.get("person"),
        )


class CriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    value = serializers.SerializerMethodField()
    display = serializers.CharField()
    score = serializers.FloatField()
    weight = serializers.FloatField()

    def get_value(self, criterion) -> str | float | bool | None:
        value = criterion.value
        return value.isoformat() if isinstance(value, date) else value


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class SuggestionSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    advisor = serializers.IntegerField(source="candidate.pk")
    advisor_name = serializers.CharField(source="candidate.name")
    structure = serializers.CharField(source="candidate.structure")
    score = serializers.FloatField()
    mode = serializers.CharField()
    place = serializers.CharField(source="place.__str__", allow_null=True, default=None)
    place_id = serializers.IntegerField(source="place.pk", allow_null=True, default=None)
    distance_km = serializers.FloatField(allow_null=True)
    next_date = serializers.DateField(allow_null=True)
    explanation = serializers.CharField()
    criteria = CriterionSerializer(many=True)


class WhyNotSerializer(serializers.Serializer):
    advisor = serializers.IntegerField(source="candidate.pk")
    advisor_name = serializers.CharField(source="candidate.name")
    structure = serializers.CharField(source="candidate.structure")
    distance_km = serializers.FloatField(allow_null=True)
    explanation = serializers.CharField()
    reasons = ReasonSerializer(many=True)


class RankingSerializer(serializers.Serializer):
    max_travel_km = serializers.FloatField()
    unmet_needs = serializers.ListField(child=serializers.CharField())
    weights = serializers.DictField(source="criteria_weights", child=serializers.FloatField())
    suggestions = SuggestionSerializer(many=True)
    why_not = WhyNotSerializer(many=True)


class RankingView(APIView):
    """Ranked advisors for a needs profile and a commune, each with its criteria; and why not."""

    permission_classes = [role_permission(Role.SOCIAL_WORKER, Role.COORDINATOR)]

    @extend_schema(request=RankingRequestSerializer, responses=RankingSerializer)
    def post(self, request):
        query = RankingRequestSerializer(data=request.data, context={"request": request})
        query.is_valid(raise_exception=True)
        return Response(RankingSerializer(query.rank()).data)


class AdvisorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    structure = serializers.CharField(source="structure.name", read_only=True)
    themes = serializers.ListField(child=serializers.ChoiceField(choices=Service.choices))
    support_formats = serializers.ListField(
        child=serializers.ChoiceField(choices=SupportFormat.choices), required=False
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices), required=False
    )
    specific_needs = serializers.ListField(
        child=serializers.ChoiceField(choices=SpecificNeed.choices), required=False
    )
    home_visit_communes = SlugRelatedField(
        slug_field="insee", queryset=Commune.objects.all(), many=True, required=False
    )

    class Meta:
        model = Advisor
        fields = [
            "id",
            "name",
            "structure",
            "themes",
            "support_formats",
            "languages",
            "specific_needs",
            "home_visit_communes",
            "remote_phone",
            "remote_video",
            "aidants_connect",
            "capacity",
            "is_active",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class AdvisorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Directory entries: everyone signed in reads them; an advisor updates only their own."""

    serializer_class = AdvisorSerializer
    queryset = (
        Advisor.objects.select_related("user", "structure")
        .prefetch_related("home_visit_communes")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    permission_classes = [
        role_permission(Role.SOCIAL_WORKER, Role.ADVISOR, Role.COORDINATOR, Role.ADMINISTRATOR)
    ]

    def perform_update(self, serializer):
        advisor = serializer.instance
        policies.advisor_edit_check(self.request.user, advisor)
        data = dict(serializer.validated_data)
        serializer.instance = services.advisor_update(
            user=self.request.user,
            advisor=advisor,
            home_visit_communes=data.pop("home_visit_communes", None),
            **data,
        )
