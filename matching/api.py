"""The matching's API: the ranking with its explanation as data (`/api/v1/matching/`)."""

from datetime import date

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from assessments.profile import Constraints, NeedPriority, NeedsProfile, SupportMode
from directory.enums import Language, Service, SpecificNeed
from pasip.api import SlugRelatedField, role_permission
from people.models import Person
from territory.models import Commune

from .engine import advisors_rank

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
