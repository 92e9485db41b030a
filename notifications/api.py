from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .models import Notification, NotificationPreference


class NotificationSerializer(serializers.ModelSerializer):
    referral_code = serializers.CharField(source="referral.code", read_only=True, default=None)
    kind_label = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()
    path = serializers.CharField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "subject",
            "summary",
            "url",
            "path",
            "referral",
            "referral_code",
            "created_at",
            "read",
            "read_at",
        ]
        read_only_fields = fields

    def get_kind_label(self, notification) -> str:
        return str(services.kind_of(notification.kind).label)

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The user's own in-app notifications, the most recent first; `?unread=1` for unread."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Notification.objects.none()
        queryset = Notification.objects.in_app_for(self.request.user).select_related("referral")
        if self.request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.notification_mark_read(user=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})

    @extend_schema(responses=inline_serializer("Unread", {"unread": serializers.IntegerField()}))
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": Notification.objects.unread_for(request.user).count()})


class PreferenceSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=NotificationPreference.Mode.choices)
    digest_hour = serializers.IntegerField(min_value=0, max_value=23)


class PreferenceView(APIView):
    """How the user receives e-mails: `immediate`, or a `digest` at `digest_hour` (0–23)."""

    @extend_schema(responses=PreferenceSerializer)
    def get(self, request):
        return Response(PreferenceSerializer(services.preference_for(request.user)).data)

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    def put(self, request):
        data = PreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preference = services.preference_update(user=request.user, **data.validated_data)
        return Response(PreferenceSerializer(preference).data)
