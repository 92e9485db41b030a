from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from pasip.api import role_permission
from pasip.errors import ApplicationError
from people.models import Person
from people.services import person_access_log

from . import services
from .models import Assessment, QuestionnaireVersion


class AssessmentSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    version = serializers.IntegerField(source="version.number", read_only=True)
    answers = serializers.DictField(required=False)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "person",
            "version",
            "status",
            "answers",
            "profile",
            "supersedes",
            "created_at",
            "validated_at",
        ]
        read_only_fields = ["status", "profile", "supersedes", "created_at", "validated_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            fields["person"].queryset = Person.objects.visible_to(request.user)
        if self.instance is not None:
            fields["person"].read_only = True
        return fields


def _answer_errors(error):
    """InvalidAnswers as a 400 with the French message per question."""
    return Response(
        {"detail": error.message, "code": error.code, "errors": {"answers": error.errors}},
        status=400,
    )


class QuestionnaireView(APIView):
    """The current version of the questionnaire: areas, items, answer types, categories."""

    permission_classes = [role_permission(Role.SOCIAL_WORKER)]

    @extend_schema(responses={200: dict})
    def get(self, request):
        version = QuestionnaireVersion.current()
        return Response({"version": version.number, "definition": version.definition})


class AssessmentViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Assessments of the persons of the user's structure: drafts, validation, profile."""

    serializer_class = AssessmentSerializer
    permission_classes = [role_permission(Role.SOCIAL_WORKER)]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Assessment.objects.none()
        return (
            Assessment.objects.visible_to(self.request.user)
            .select_related("version")
            .order_by("pk")
        )

    def get_object(self):
        assessment = super().get_object()
        person_access_log(
            user=self.request.user,
            persons=[assessment.person],
            where=self.request.get_full_path(),
        )
        return assessment

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            assessment = services.assessment_start(
                user=request.user,
                person=serializer.validated_data["person"],
                answers=serializer.validated_data.get("answers", {}),
            )
        except services.InvalidAnswers as error:
            return _answer_errors(error)
        return Response(self.get_serializer(assessment).data, status=201)

    def partial_update(self, request, *args, **kwargs):
        """Adds or changes answers of a draft (the answers given, the others kept)."""
        assessment = self.get_object()
        serializer = self.get_serializer(assessment, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            assessment = services.assessment_answer(
                user=request.user,
                assessment=assessment,
                answers=serializer.validated_data.get("answers", {}),
            )
        except services.InvalidAnswers as error:
            return _answer_errors(error)
        return Response(self.get_serializer(assessment).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None):
        """Checks that every question is answered and computes the needs profile."""
        try:
            assessment = services.assessment_validate(
                user=request.user, assessment=self.get_object()
            )
        except services.InvalidAnswers as error:
            return _answer_errors(error)
        return Response(self.get_serializer(assessment).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """A new draft correcting this assessment, which is kept as it was."""
        correction = services.assessment_correct(user=request.user, assessment=self.get_object())
        return Response(self.get_serializer(correction).data, status=201)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def profile(self, request, pk=None):
        """The needs profile of a validated assessment (404 while it is a draft)."""
        assessment = self.get_object()
        if assessment.profile is None:
            raise ApplicationError(
                _("Ce diagnostic n'est pas encore validé."), code="not_validated", status=404
            )
        return Response(assessment.profile)
