from rest_framework import mixins, serializers, viewsets

from accounts.models import Role
from pasip.api import role_permission
from territory.forms import COMMUNE_UNKNOWN
from territory.models import Commune

from .models import IDENTITY_CONSENT_REQUIRED, Consent, Person
from .services import person_register


class PersonSerializer(serializers.ModelSerializer):
    commune = serializers.SlugRelatedField(
        slug_field="insee",
        queryset=Commune.objects.all(),
        error_messages={"does_not_exist": COMMUNE_UNKNOWN},
    )
    share_identity = serializers.BooleanField(write_only=True)
    share_assessment = serializers.BooleanField(write_only=True)
    consent_method = serializers.ChoiceField(choices=Consent.Method.choices, write_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "first_name",
            "last_name",
            "birth_year",
            "commune",
            "phone",
            "email",
            "preferred_channel",
            "share_identity",
            "share_assessment",
            "consent_method",
        ]

    def validate_share_identity(self, value):
        if not value:
            raise serializers.ValidationError(IDENTITY_CONSENT_REQUIRED)
        return value


class PersonViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PersonSerializer
    permission_classes = [role_permission(Role.SOCIAL_WORKER)]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Person.objects.none()
        return Person.objects.visible_to(self.request.user).select_related("commune").order_by("pk")

    def perform_create(self, serializer):
        serializer.instance = person_register(user=self.request.user, **serializer.validated_data)
