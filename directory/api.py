"""The directory's API: its entries (the ranking is in `matching.api`)."""

from rest_framework import mixins, serializers, viewsets

from accounts.models import Role
from pasip.api import SlugRelatedField, role_permission
from territory.models import Commune

from . import policies, services
from .enums import Language, Service, SpecificNeed, SupportFormat
from .models import Advisor


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
