from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from directory.enums import Service
from directory.matching import advisors_suggest
from directory.models import Advisor
from pasip.api import role_permission
from people.models import Person
from territory.models import Commune

from . import services
from .models import DeclineReason, Referral


class NeedsField(serializers.ListField):
    child = serializers.ChoiceField(choices=Service.choices)

    def __init__(self, **kwargs):
        super().__init__(allow_empty=False, **kwargs)


class SuggestionRequestSerializer(serializers.Serializer):
    commune = serializers.SlugRelatedField(slug_field="insee", queryset=Commune.objects.all())
    needs = NeedsField()


class SuggestionSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    advisor = serializers.IntegerField(source="advisor.pk")
    advisor_name = serializers.CharField(source="advisor.__str__")
    structure = serializers.CharField(source="advisor.structure.name")
    place = serializers.CharField(source="place.__str__", allow_null=True)
    distance_km = serializers.FloatField(allow_null=True)
    explanation = serializers.CharField()


class SuggestionView(APIView):
    permission_classes = [role_permission(Role.SOCIAL_WORKER)]

    @extend_schema(request=SuggestionRequestSerializer, responses=SuggestionSerializer(many=True))
    def post(self, request):
        query = SuggestionRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        suggestions = advisors_suggest(**query.validated_data)
        return Response(SuggestionSerializer(suggestions, many=True).data)


class ReferralSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    advisor = serializers.PrimaryKeyRelatedField(queryset=Advisor.objects.filter(is_active=True))
    needs = NeedsField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "code",
            "person",
            "advisor",
            "needs",
            "state",
            "state_label",
            "decline_reason",
            "decline_detail",
            "was_suggested",
            "suggested_rank",
            "sent_at",
            "answered_at",
        ]
        read_only_fields = [
            "code",
            "state",
            "decline_reason",
            "decline_detail",
            "was_suggested",
            "suggested_rank",
            "sent_at",
            "answered_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["person"].queryset = Person.objects.visible_to(request.user)


class DeclineSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReferralViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals the user may see: another structure's referral is a 404."""

    serializer_class = ReferralSerializer
    permission_classes = [role_permission(Role.SOCIAL_WORKER, Role.ADVISOR)]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Referral.objects.none()
        return Referral.objects.visible_to(self.request.user).order_by("-sent_at", "-pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        person = data["person"]
        serializer.instance = services.referral_send(
            user=self.request.user,
            person=person,
            advisor=data["advisor"],
            needs=data["needs"],
            suggestions=advisors_suggest(needs=data["needs"], commune=person.commune),
        )

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        referral = services.referral_accept(user=request.user, referral=self.get_object())
        return Response(self.get_serializer(referral).data)

    @extend_schema(request=DeclineSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        decision = DeclineSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        referral = services.referral_decline(
            user=request.user, referral=self.get_object(), **decision.validated_data
        )
        return Response(self.get_serializer(referral).data, status=status.HTTP_200_OK)
