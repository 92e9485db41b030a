from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.policies import persons_followed_filter


class ReferralState(models.TextChoices):
    SENT = "sent", _("Envoyée")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Refusée")
    IN_PROGRESS = "in_progress", _("Accompagnement en cours")
    COMPLETED = "completed", _("Terminée")
    FAILED = "failed", _("Non aboutie")
    EXPIRED = "expired", _("Expirée")
    CANCELLED = "cancelled", _("Annulée")


class DeclineReason(models.TextChoices):
    OUT_OF_AREA = "out_of_area", _("Hors zone")
    NO_CAPACITY = "no_capacity", _("Pas de disponibilité")
    NEED_NOT_COVERED = "need_not_covered", _("Besoin non couvert")
    DUPLICATE = "duplicate", _("Doublon")
    OTHER = "other", _("Autre")


class CancelReason(models.TextChoices):
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consentement retiré")
    NEED_RESOLVED = "need_resolved", _("Besoin résolu autrement")
    PERSON_MOVED = "person_moved", _("La personne a déménagé")
    MISTAKE = "mistake", _("Orientation faite par erreur")
    ERASURE = "erasure", _("Effacement des données demandé")
    OTHER = "other", _("Autre")


class Outcome(models.TextChoices):
    """How a referral closed: the first four for `completed`, the last two for `failed`."""

    SATISFIED = "satisfied", _("Besoin satisfait")
    PARTIALLY = "partially", _("Besoin partiellement satisfait")
    NOT_SATISFIED = "not_satisfied", _("Besoin non satisfait")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Réorientée ailleurs")
    UNREACHABLE = "unreachable", _("Personne injoignable")
    NO_SHOW = "no_show", _("Personne non venue")


OPEN_STATES = (ReferralState.SENT, ReferralState.ACCEPTED, ReferralState.IN_PROGRESS)
# While accepted or under way the appointment still stands: the advisor sets, moves or removes
# it, and the person's confirmation and reminder may still be sent.
APPOINTMENT_STATES = (ReferralState.ACCEPTED, ReferralState.IN_PROGRESS)
# How a referral closed may end, by the advisor's closing action.
OUTCOMES = {
    "complete": (
        Outcome.SATISFIED,
        Outcome.PARTIALLY,
        Outcome.NOT_SATISFIED,
        Outcome.REFERRED_ELSEWHERE,
    ),
    "fail": (Outcome.UNREACHABLE, Outcome.NO_SHOW),
}
REROUTABLE_STATES = (ReferralState.DECLINED, ReferralState.EXPIRED, ReferralState.CANCELLED)
OUTSIDE_REASON_MAX = 300  # the reason for an advisor chosen outside the suggestions


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one place that says which referrals a user may open in full, pages and API alike.

        A coordinator opens in full only the escalated referrals of the département (and each
        opening is logged); the rest of the territory appears pseudonymised on the board.
        """
        referred = persons_followed_filter(user, "referring_structure_id")
        if referred is not None:  # a social worker: the referrals of the structure's persons
            return self.filter(referred)
        if user.is_advisor and hasattr(user, "advisor_profile"):
            profile = user.advisor_profile
            # The structure's advisors first, then own or shared: the database reads each
            # colleague's referrals by index and sorts a few thousand rows at most, where an OR
            # at the top let it walk the whole country's referrals by date.
            colleagues = type(profile).objects.filter(structure_id=profile.structure_id)
            return self.filter(advisor__in=colleagues).filter(Q(advisor=profile) | Q(shared=True))
        if user.is_coordinator:
            return self.on_board_of(user).filter(escalated_at__isnull=False)
        return self.none()

    def reroutable_by(self, user):
        """Referrals `user` may open to re-route: the coordinator's whole board (the person
        pseudonymised), the referrals they may see for anyone else
        (`policies.referral_reroute_check` then says who may act)."""
        return self.on_board_of(user) if user.is_coordinator else self.visible_to(user)

    def on_board_of(self, user):
        """Referrals of the coordinator's département, to be shown pseudonymised."""
        if not user.is_coordinator:
            return self.none()
        return self.filter(person__commune__department=user.department)

    def open(self):
        return self.filter(state__in=OPEN_STATES)


class Referral(models.Model):
    code = models.CharField(_("code"), max_length=12, unique=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="referrals")
    referring_structure = models.ForeignKey(
        "directory.Structure", on_delete=models.PROTECT, related_name="referrals_sent"
    )
    referrer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    advisor = models.ForeignKey(
        "directory.Advisor", on_delete=models.PROTECT, related_name="referrals"
    )
    needs = models.JSONField(_("besoins"), default=list)
    state = models.CharField(
        _("état"), max_length=20, choices=ReferralState.choices, default=ReferralState.SENT
    )
    decline_reason = models.CharField(
        _("motif du refus"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    decline_detail = models.CharField(_("précision"), max_length=500, blank=True)
    cancel_reason = models.CharField(
        _("motif d'annulation"), max_length=20, choices=CancelReason.choices, blank=True
    )
    cancel_detail = models.CharField(_("précision"), max_length=500, blank=True)
    outcome = models.CharField(_("issue"), max_length=20, choices=Outcome.choices, blank=True)
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("orientation d'origine"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reroutes",
    )
    appointment_at = models.DateTimeField(_("rendez-vous"), null=True, blank=True)
    appointment_place = models.ForeignKey(
        "directory.Place", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_meeting_at = models.DateTimeField(_("premier rendez-vous"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    # Addressed to the advisor's structure as a whole: any of its advisors may answer, and the
    # one who accepts becomes the referral's advisor.
    shared = models.BooleanField(_("boîte partagée de la structure"), default=False)
    was_suggested = models.BooleanField(_("conseiller suggéré"), default=False)
    # Picked by the social worker from the directory rather than from the suggestions: why.
    chosen_outside = models.BooleanField(_("choisi hors des suggestions"), default=False)
    outside_reason = models.CharField(
        _("raison du choix hors suggestions"), max_length=OUTSIDE_REASON_MAX, blank=True
    )
    suggested_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Deadline markers: each is set once, by a conditional update, so the job is idempotent.
    reminded_at = models.DateTimeField(_("relancée le"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("signalée au coordinateur le"), null=True, blank=True)
    meeting_reminded_at = models.DateTimeField(null=True, blank=True)
    # Working days from sending to the answer, the first meeting and the closure, kept when the
    # person's data is erased and the dates are cut to the month: the statistics' delays then
    # read these (`referrals.delays.referral_delays`), so that erasure does not move them.
    answer_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    meeting_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    closure_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("orientation")
        ordering = ["-sent_at"]
        indexes = [
            models.Index(
                fields=["advisor"], condition=Q(shared=True), name="referral_shared_inbox"
            ),
            # The lists, newest first, read a page without sorting the structure's history.
            models.Index(fields=["referring_structure", "sent_at"], name="referral_structure_list"),
            models.Index(fields=["advisor", "sent_at"], name="referral_advisor_inbox"),
            # The matching's live load (`referrals.loads.LOAD_SQL`).
            models.Index(
                fields=["advisor"], condition=Q(state__in=OPEN_STATES), name="referral_open_load"
            ),
            models.Index(
                fields=["advisor", "answered_at"],
                condition=Q(decline_reason=DeclineReason.NO_CAPACITY),
                name="referral_capacity_declines",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decline_reason="other") | ~Q(decline_detail=""),
                name="decline_other_has_detail",
            ),
            models.CheckConstraint(
                condition=~Q(cancel_reason="other") | ~Q(cancel_detail=""),
                name="cancel_other_has_detail",
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def appointment_stands(self):
        """Accepted or under way: its appointment may be set, moved or recalled to the person."""
        return self.state in APPOINTMENT_STATES


class EventKind(models.TextChoices):
    TRANSITION = "transition", _("Changement d'état")
    REMINDER = "reminder", _("Relance du conseiller")
    ESCALATION = "escalation", _("Signalement au coordinateur")
    MEETING_REMINDER = "meeting_reminder", _("Relance : premier rendez-vous à fixer")
    REROUTED = "rerouted", _("Réorientée")
    APPOINTMENT = "appointment", _("Rendez-vous")


class ReferralEventQuerySet(models.QuerySet):
    """Append-only in bulk too: `update()` and `delete()` refuse, like a single row's."""

    def update(self, **kwargs):
        raise ValueError("Referral events are append-only.")

    def delete(self):
        raise ValueError("Referral events are append-only.")

    def erasure_cut_dates_to_month(self, month_of):
        """The one writer allowed past the append-only rule: when a person's data is erased
        (`referrals.erasure`), the events' times are cut to the month by
        `month_of`; nothing else about an event ever changes."""
        by_month = {}
        for pk, at in self.values_list("pk", "at"):
            by_month.setdefault(month_of(at), []).append(pk)
        for month, pks in by_month.items():
            models.QuerySet.update(self.model._base_manager.filter(pk__in=pks), at=month)


class ReferralEvent(models.Model):
    """One line of a referral's timeline. Append-only: never updated, never deleted."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    from_state = models.CharField(max_length=20, choices=ReferralState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=ReferralState.choices)
    kind = models.CharField(max_length=20, choices=EventKind.choices, default=EventKind.TRANSITION)
    reason = models.CharField(max_length=500, blank=True)

    objects = ReferralEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.referral.code}: {self.from_state or '—'} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("Referral events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Referral events are append-only.")


class ReferralMessage(models.Model):
    """A short message between referrer and advisor: part of the closed loop and the timeline."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    body = models.TextField(_("message"), max_length=1000)

    class Meta:
        verbose_name = _("message")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.referral.code}: {self.author} ({self.at:%d/%m/%Y})"
