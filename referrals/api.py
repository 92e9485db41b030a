from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from assessments.models import Assessment
from directory.enums import Service
from directory.models import Advisor, Place
from matching.api import RankingRequestSerializer, SuggestionSerializer
from matching.services import suggestions_for_person
from pasip.api import role_permission
from pasip.errors import ApplicationError
from pasip.pagination import KeysFirstPagination
from pasip.workdays import working_days_between
from people.models import Person
from people.services import person_access_log

from . import policies, selectors, services, transitions
from .board_filters import AGES, board_filtered
from .codes import referral_code_typed
from .forms import needs_from_profile
from .models import (
    OUTSIDE_REASON_MAX,
    CancelReason,
    DeclineReason,
    Outcome,
    Referral,
    ReferralMessage,
    ReferralState,
)


class NeedsField(serializers.ListField):
    child = serializers.ChoiceField(choices=Service.choices)

    def __init__(self, **kwargs):
        super().__init__(allow_empty=False, **kwargs)


class SuggestionView(APIView):
    """The ranked suggestions (a list), each with its criteria; see also /api/v1/matching/."""

    permission_classes = [role_permission(Role.SOCIAL_WORKER)]

    @extend_schema(request=RankingRequestSerializer, responses=SuggestionSerializer(many=True))
    def post(self, request):
        query = RankingRequestSerializer(data=request.data, context={"request": request})
        query.is_valid(raise_exception=True)
        return Response(SuggestionSerializer(query.rank().suggestions, many=True).data)


class PersonOnReferralSerializer(serializers.Serializer):
    """The person as the user may see them: contact data only under the active consent."""

    initials = serializers.CharField()
    commune = serializers.CharField(source="commune.name")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    birth_year = serializers.IntegerField()
    phone = serializers.CharField()
    email = serializers.CharField()
    preferred_channel = serializers.CharField()

    IDENTITY = ("first_name", "last_name", "birth_year", "phone", "email", "preferred_channel")

    def to_representation(self, person):
        data = super().to_representation(person)
        if not self.context.get("identity"):
            for name in self.IDENTITY:
                data.pop(name)
        return data


class ReferralSerializer(serializers.ModelSerializer):
    """A referral is sent with the person's validated assessment, as on the pages: ranked on its
    needs profile and attached to it (which freezes it). `needs`, when given, must be needs of
    that profile; by default the referral is for all of them.

    `outside_reason`: the advisor was chosen outside the suggestions (any active advisor of
    the directory); why, in 300 characters at most. The referral then says `chosen_outside`.
    Required when the advisor is not among the suggestions: without it, refused in French.
    """

    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    # Any advisor: an inactive one is refused by the service, with a clear message.
    advisor = serializers.PrimaryKeyRelatedField(queryset=Advisor.objects.select_related("user"))
    needs = NeedsField(required=False)
    outside_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=OUTSIDE_REASON_MAX
    )
    assessment = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    person_data = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    # Codes, "" until the referral is declined, cancelled or closed.
    decline_reason = serializers.CharField(read_only=True)
    cancel_reason = serializers.CharField(read_only=True)
    outcome = serializers.CharField(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "code",
            "person",
            "person_data",
            "advisor",
            "needs",
            "assessment",
            "state",
            "state_label",
            "allowed_actions",
            "decline_reason",
            "decline_detail",
            "cancel_reason",
            "cancel_detail",
            "outcome",
            "appointment_at",
            "appointment_place",
            "first_meeting_at",
            "previous",
            "shared",
            "was_suggested",
            "suggested_rank",
            "chosen_outside",
            "outside_reason",
            "sent_at",
            "answered_at",
            "closed_at",
        ]
        read_only_fields = [
            f for f in fields if f not in ("person", "advisor", "needs", "shared", "outside_reason")
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["person"].queryset = Person.objects.visible_to(request.user)

    def validate(self, data):
        assessment = Assessment.objects.validated_for(data["person"])
        if assessment is None:
            raise ApplicationError(
                _(
                    "La personne n'a pas de diagnostic numérique validé : faites-le et "
                    "validez-le d'abord (/api/v1/assessments/), l'orientation part avec lui."
                ),
                code="assessment_required",
            )
        data["assessment"] = assessment
        data["needs"] = needs_from_profile(data.get("needs"), assessment.needs_profile)
        return data

    def get_person_data(self, referral) -> dict:
        shown = selectors.disclosure(user=self.context["request"].user, referral=referral)
        identity = shown.identity and not self.context.get("pseudonymised")
        return PersonOnReferralSerializer(referral.person, context={"identity": identity}).data

    def get_allowed_actions(self, referral) -> list[str]:
        return sorted(transitions.allowed(user=self.context["request"].user, referral=referral))


class AcceptSerializer(serializers.Serializer):
    appointment_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    appointment_place = serializers.PrimaryKeyRelatedField(
        queryset=Place.objects.all(), required=False, allow_null=True, default=None
    )


class DeclineSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CancelSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CancelReason.choices)
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class StartSerializer(serializers.Serializer):
    first_meeting_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    # Required to record a first meeting before the appointment's day.
    earlier_than_planned = serializers.BooleanField(required=False, default=False)


class AppointmentSerializer(serializers.Serializer):
    appointment_at = serializers.DateTimeField()
    appointment_place = serializers.PrimaryKeyRelatedField(
        queryset=Place.objects.all(), required=False, allow_null=True, default=None
    )


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_full_name", read_only=True)

    class Meta:
        model = ReferralMessage
        fields = ["id", "author", "at", "body"]
        read_only_fields = ["id", "author", "at"]


class TimelineItemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)
    from_state = serializers.CharField(allow_blank=True, required=False)
    to_state = serializers.CharField(required=False)
    event = serializers.CharField(required=False)
    reason = serializers.CharField(allow_blank=True, required=False)
    body = serializers.CharField(required=False)


class RerouteSerializer(serializers.Serializer):
    advisor = serializers.PrimaryKeyRelatedField(queryset=Advisor.objects.filter(is_active=True))


ACTIONS = {
    # action: (input serializer, service)
    "accept": (AcceptSerializer, services.referral_accept),
    "decline": (DeclineSerializer, services.referral_decline),
    "start": (StartSerializer, services.referral_start),
    "complete": (OutcomeSerializer, services.referral_complete),
    "fail": (OutcomeSerializer, services.referral_fail),
    "cancel": (CancelSerializer, services.referral_cancel),
}


def _transition_action(name):
    input_serializer, service = ACTIONS[name]

    def apply(self, request, pk=None):
        referral = self.get_object()
        transitions.check_actor(user=request.user, referral=referral, name=name)
        data = input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        referral = service(user=request.user, referral=referral, **data.validated_data)
        return Response(self.get_serializer(referral).data, status=status.HTTP_200_OK)

    apply.__name__ = name  # DRF routes the action by its function's name
    apply = action(detail=True, methods=["post"])(apply)
    apply = extend_schema(request=input_serializer, responses=ReferralSerializer)(apply)
    return apply


class ReferralViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals the user may see: another structure's referral is a 404.

    Each transition of the lifecycle is a POST action named after it; the server checks the
    actor and the current state (`referrals.transitions`), a late second decision is a 409.
    `?code=LOT-7K3QAC` finds a referral by its code.
    """

    pagination_class = KeysFirstPagination

    serializer_class = ReferralSerializer
    permission_classes = [role_permission(Role.SOCIAL_WORKER, Role.ADVISOR, Role.COORDINATOR)]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Referral.objects.none()
        user = self.request.user
        if self.action == "reroute":
            visible = Referral.objects.reroutable_by(user)
        else:
            visible = Referral.objects.visible_to(user)
        referrals = selectors.with_consent(
            visible.select_related(
                "person__commune", "advisor__user", "referring_structure"
            ).order_by("-sent_at", "-pk")
        )
        code = referral_code_typed(
            self.request.query_params.get("code", ""), self.request.user.department
        )
        if code:
            referrals = referrals.filter(code=code)
        return referrals

    def retrieve(self, request, *args, **kwargs):
        # Opening a referral opens its person: logged. A list is not, as on the pages.
        response = super().retrieve(request, *args, **kwargs)
        person_access_log(
            user=request.user,
            persons=Person.objects.filter(pk=response.data["person"]),
            where=f"API {request.method} {request.get_full_path()}",
        )
        return response

    def perform_create(self, serializer):
        data = serializer.validated_data
        person, assessment = data["person"], data["assessment"]
        profile = services.send_profile(assessment, data["needs"])
        suggestions = suggestions_for_person(person, profile)
        advisor = data["advisor"]
        if "outside_reason" not in data and all(s.advisor.pk != advisor.pk for s in suggestions):
            # As on the pages: an advisor outside the suggestions is sent to with a reason.
            services.advisor_active_check(advisor)
            raise ApplicationError(
                _(
                    "Ce conseiller ne fait pas partie des suggestions : dites pourquoi vous le "
                    "choisissez (outside_reason)."
                ),
                code="outside_reason_required",
            )
        serializer.instance = services.referral_send(
            user=self.request.user,
            person=person,
            advisor=advisor,
            needs=data["needs"],
            assessment=assessment,
            shared=data.get("shared", False),
            outside_reason=data.get("outside_reason"),
        )

    accept = _transition_action("accept")
    decline = _transition_action("decline")
    start = _transition_action("start")
    complete = _transition_action("complete")
    fail = _transition_action("fail")
    cancel = _transition_action("cancel")

    @extend_schema(methods=["POST"], request=AppointmentSerializer, responses=ReferralSerializer)
    @extend_schema(methods=["DELETE"], request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post", "delete"])
    def appointment(self, request, pk=None):
        """The advisor adds or moves (POST) or removes (DELETE) the appointment of an accepted
        referral; the person's confirmation and reminder follow."""
        referral = self.get_object()  # existence and rights first, then the body
        services.appointment_check(user=request.user, referral=referral)
        if request.method == "DELETE":
            referral = services.referral_appointment_remove(user=request.user, referral=referral)
        else:
            data = AppointmentSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            referral = services.referral_appointment_set(
                user=request.user, referral=referral, **data.validated_data
            )
        return Response(self.get_serializer(referral).data, status=status.HTTP_200_OK)

    @extend_schema(request=MessageSerializer, responses={201: MessageSerializer})
    @action(detail=True, methods=["post"])
    def messages(self, request, pk=None):
        referral = self.get_object()  # existence and rights first, then the body
        policies.referral_message_check(request.user, referral)
        data = MessageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.referral_message_post(
            user=request.user, referral=referral, body=data.validated_data["body"]
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TimelineItemSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole timeline, unpaged
    def timeline(self, request, pk=None):
        items = []
        for kind, item in selectors.timeline(self.get_object()):
            if kind == "event":
                items.append(
                    {
                        "kind": "event",
                        "event": item.kind,
                        "at": item.at,
                        "by": item.actor.get_full_name() if item.actor else None,
                        "from_state": item.from_state,
                        "to_state": item.to_state,
                        "reason": item.reason,
                    }
                )
            else:
                items.append(
                    {
                        "kind": "message",
                        "at": item.at,
                        "by": item.author.get_full_name(),
                        "body": item.body,
                    }
                )
        return Response(TimelineItemSerializer(items, many=True).data)

    @extend_schema(request=RerouteSerializer, responses={201: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def reroute(self, request, pk=None):
        referral = self.get_object()  # existence and rights first, then the body
        policies.referral_reroute_check(request.user, referral)
        data = RerouteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = services.referral_reroute(
            user=request.user, referral=referral, advisor=data.validated_data["advisor"]
        )
        # The coordinator sees the new referral as on the board: the person pseudonymised.
        context = {**self.get_serializer_context(), "pseudonymised": request.user.is_coordinator}
        return Response(
            ReferralSerializer(new, context=context).data, status=status.HTTP_201_CREATED
        )


class BoardReferralSerializer(serializers.ModelSerializer):
    """A referral on the coordinator's board: the person pseudonymised, what it waits for
    (`group`, in the board's order), its age in working days and the reason of a refusal."""

    initials = serializers.CharField(source="person.initials")
    birth_year = serializers.IntegerField(source="person.birth_year", allow_null=True)
    commune = serializers.CharField(source="person.commune.name")
    advisor = serializers.CharField(source="advisor.__str__")
    advisor_structure = serializers.CharField(source="advisor.structure.name")
    referring_structure = serializers.CharField(source="referring_structure.name", allow_null=True)
    state_label = serializers.CharField(source="get_state_display")
    group = serializers.SerializerMethodField()
    group_label = serializers.SerializerMethodField()
    age_working_days = serializers.SerializerMethodField()
    # Codes ("" when none) and their French labels.
    decline_reason = serializers.CharField()
    decline_reason_label = serializers.CharField(source="get_decline_reason_display")
    cancel_reason = serializers.CharField()
    cancel_reason_label = serializers.CharField(source="get_cancel_reason_display")
    can_open = serializers.SerializerMethodField()
    can_reroute = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "code",
            "group",
            "group_label",
            "initials",
            "birth_year",
            "commune",
            "advisor",
            "advisor_structure",
            "referring_structure",
            "state",
            "state_label",
            "decline_reason",
            "decline_reason_label",
            "cancel_reason",
            "cancel_reason_label",
            "sent_at",
            "age_working_days",
            "escalated_at",
            "can_open",
            "can_reroute",
        ]

    def get_group(self, referral) -> str:
        return selectors.BoardGroup.CODES[referral.board_group]

    def get_group_label(self, referral) -> str:
        return str(selectors.BoardGroup.LABELS[referral.board_group])

    def get_age_working_days(self, referral) -> int:
        return working_days_between(timezone.localdate(referral.sent_at), timezone.localdate())

    def get_can_open(self, referral) -> bool:
        return selectors.BoardGroup.openable(referral.board_group)

    def get_can_reroute(self, referral) -> bool:
        return selectors.BoardGroup.reroutable(referral.board_group)


class BoardView(ListAPIView):
    """The coordinator's board, as on its page: what needs action first (escalated, stalled,
    expired, declined then cancelled waiting for a re-route; `vue=toutes`: then the others),
    the oldest first within each; filtered by `etat`, `motif` (decline reason), `structure`
    (id) and `age` (more than 2, 5, 10 or 20 working days since sent); in pages."""

    serializer_class = BoardReferralSerializer
    pagination_class = KeysFirstPagination
    permission_classes = [role_permission(Role.COORDINATOR)]

    @extend_schema(
        parameters=[
            OpenApiParameter("vue", str, enum=["toutes"]),
            OpenApiParameter("etat", str, enum=ReferralState.values),
            OpenApiParameter("motif", str, enum=DeclineReason.values),
            OpenApiParameter("structure", int),
            OpenApiParameter("age", int, enum=[days for days, _label in AGES]),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Referral.objects.none()
        form, referrals = board_filtered(self.request.user, self.request.query_params)
        if form.is_bound and not form.is_valid():
            raise serializers.ValidationError(
                {name: [str(error) for error in errors] for name, errors in form.errors.items()}
            )
        return referrals
