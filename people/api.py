from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from accounts.models import Role
from pasip.api import SlugRelatedField, role_permission
from pasip.validators import validate_printable
from territory.forms import COMMUNE_UNKNOWN
from territory.models import Commune

from . import services
from .forms import AccessLogFilterForm, PersonSearchForm
from .models import IDENTITY_CONSENT_REQUIRED, Consent, Person, PersonAccess
from .search import persons_search, with_last_referral
from .services import person_access_log, person_register


class PersonSerializer(serializers.ModelSerializer):
    commune = SlugRelatedField(
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
        extra_kwargs = {
            name: {"validators": [validate_printable]}
            for name in ("first_name", "last_name", "phone")
        }

    def validate_share_identity(self, value):
        if not value:
            raise serializers.ValidationError(IDENTITY_CONSENT_REQUIRED)
        return value


class PersonFoundSerializer(PersonSerializer):
    """A person found by the search, with their latest referral as on the list's page (null
    when there is none)."""

    last_referral_id = serializers.IntegerField(read_only=True, allow_null=True)
    last_referral_code = serializers.CharField(read_only=True, allow_null=True)
    last_referral_state = serializers.CharField(read_only=True, allow_null=True)

    class Meta(PersonSerializer.Meta):
        fields = [
            *PersonSerializer.Meta.fields,
            "last_referral_id",
            "last_referral_code",
            "last_referral_state",
        ]


class PersonSearchSerializer(serializers.Serializer):
    """The persons list's search: the same criteria, checked by its form, with its messages."""

    name = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    birth_year = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    commune = serializers.CharField(required=False, allow_blank=True, allow_null=True)

    def validate(self, data):
        form = PersonSearchForm(
            {name: "" if value is None else value for name, value in data.items()}
        )
        if not form.is_valid():
            raise serializers.ValidationError(
                {name: [str(error) for error in errors] for name, errors in form.errors.items()}
            )
        self.form = form
        return data

    def criteria(self):
        return self.form.criteria()


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

    # A list (and a search) writes nothing to the access log, as on the pages: only a person
    # opened (retrieved, exported) does.

    @extend_schema(request=PersonSearchSerializer, responses=PersonFoundSerializer(many=True))
    @action(detail=False, methods=["post"])
    def search(self, request):
        """The persons list's search, sent in the body so that no name reaches a URL: every
        criterion given must match (`name`: a part of the first or last name, or both;
        `commune`: a part of the commune's name), by name then first name, in pages."""
        query = PersonSearchSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        persons = with_last_referral(persons_search(request.user, **query.criteria()))
        page = self.paginate_queryset(persons)
        found = PersonFoundSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(found.data)

    def retrieve(self, request, *args, **kwargs):
        self._log([self.get_object()])
        return super().retrieve(request, *args, **kwargs)

    def _log(self, persons):
        where = f"API {self.request.method} {self.request.get_full_path()}"
        person_access_log(user=self.request.user, persons=persons, where=where)

    @extend_schema(request=None, responses=dict)
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """Everything held about the person (right of access)."""
        person = self.get_object()
        self._log([person])
        return Response(services.person_export(user=request.user, person=person))

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        services.person_erase(user=request.user, person=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"], url_path="revoke-consent")
    def revoke_consent(self, request, pk=None):
        """Withdraws consent at once: open referrals are cancelled."""
        where = f"API {request.method} {request.get_full_path()}"
        services.consent_revoke(user=request.user, person=self.get_object(), where=where)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PersonAccessSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.get_full_name")
    role = serializers.CharField(source="user.role")

    class Meta:
        model = PersonAccess
        fields = ["at", "user", "role", "person", "where"]


class AccessLogView(ListAPIView):
    """The log of views of personal data, read-only, for the coordinator, the newest first;
    filtered as on its page by `person` (the person's number), `user` (id) and a period
    (`start`, `end`: dates, both included)."""

    serializer_class = PersonAccessSerializer
    permission_classes = [role_permission(Role.COORDINATOR)]

    @extend_schema(
        parameters=[
            OpenApiParameter("person", int),
            OpenApiParameter("user", int),
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PersonAccess.objects.none()
        accesses = PersonAccess.objects.filter(
            person__commune__department=self.request.user.department
        )
        form = AccessLogFilterForm(self.request.query_params, accesses=accesses)
        if not form.is_valid():
            raise serializers.ValidationError(
                {name: [str(error) for error in errors] for name, errors in form.errors.items()}
            )
        return form.filter(accesses).select_related("user").order_by("-at", "-pk")
