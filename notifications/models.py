import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PENDING = "pending", _("En attente")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec")


class NotificationQuerySet(models.QuerySet):
    def in_app_for(self, user):
        """What a user sees in the application's list: their own, never a digest wrapper."""
        return self.filter(recipient=user, in_app=True)

    def unread_for(self, user):
        return self.in_app_for(user).filter(read_at__isnull=True)

    def relayable(self):
        """Rows waiting for an immediate e-mail (not those kept back for a digest)."""
        return self.filter(status=Status.PENDING, email=True, digest_due_at__isnull=True)


class Notification(models.Model):
    """An outbox row, written in the same transaction as the event it tells about.

    One row is one event told to one user: shown in the application (`in_app`) and sent by
    e-mail (`email`), either at once or inside a daily digest (`digest_due_at`, then
    `digest`). `status` is the e-mail's delivery state; `idempotency_key` gives the e-mail its
    Message-ID, so that a receiver can drop a duplicate.
    """

    Status = Status

    recipient = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("type"), max_length=40)
    subject = models.CharField(_("objet"), max_length=200)
    # What happened, in words, for the in-app list ("Paul Martin (France Services de Gramat) a
    # accepté l'orientation LOT-7K3Q."): names of agents and codes only, nothing of the person.
    summary = models.CharField(_("ce qui s'est passé"), max_length=400, blank=True)
    body = models.TextField(_("texte"))
    html_body = models.TextField(_("HTML"), blank=True)
    url = models.CharField(_("lien"), max_length=300, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    in_app = models.BooleanField(_("dans l'application"), default=True)
    email = models.BooleanField(_("par courriel"), default=True)
    digest_due_at = models.DateTimeField(_("résumé prévu le"), null=True, blank=True)
    digest = models.ForeignKey(
        "self",
        verbose_name=_("envoyée dans le résumé"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="included",
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    last_error = models.TextField(_("réponse du serveur"), blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["status", "digest_due_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient} ({self.get_status_display()})"

    @property
    def path(self):
        """The link as a path of this site, for the pages (e-mails carry the full URL)."""
        from django.conf import settings

        site = settings.SITE_URL.rstrip("/")
        return self.url[len(site) :] if self.url.startswith(site + "/") else self.url

    @property
    def message_id(self):
        """The e-mail's Message-ID, the same on every attempt."""
        return f"<{self.idempotency_key}@pasip.notifications>"


class NotificationPreference(models.Model):
    """How a user wants their e-mails: one per event, or one daily digest at a chosen hour."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", _("Un courriel à chaque événement")
        DIGEST = "digest", _("Un résumé quotidien")

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="notification_preference"
    )
    mode = models.CharField(
        _("envoi des courriels"), max_length=10, choices=Mode.choices, default=Mode.IMMEDIATE
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("heure du résumé"),
        default=8,
        choices=[(hour, f"{hour:02d} h 00") for hour in range(24)],
    )

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")

    def __str__(self):
        return f"{self.user} : {self.get_mode_display()}"


class PersonMessage(models.Model):
    """A message to the person (appointment confirmation, reminder): a row with a due time.

    Reminders are swept by beat when due, never held in the broker as long countdowns. The
    address is read from the person when sending, so a consent withdrawn meanwhile stops it.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "appointment_confirmation", _("Confirmation du rendez-vous")
        REMINDER = "appointment_reminder", _("Rappel la veille du rendez-vous")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Courriel")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")
        CANCELLED = "cancelled", _("Annulé")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="messages")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="person_messages"
    )
    kind = models.CharField(_("type"), max_length=40, choices=Kind.choices)
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    appointment_at = models.DateTimeField(_("rendez-vous"))
    due_at = models.DateTimeField(_("à envoyer le"))
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    # After a provider error, not before: the beat sweep respects the backoff.
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    last_error = models.TextField(_("réponse du fournisseur"), blank=True)
    # Why a message was not sent: the referral closed, the appointment moved or was removed,
    # the consent was withdrawn… shown to the administrator next to the cancelled row.
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=200, blank=True)
    provider_reference = models.CharField(_("référence du fournisseur"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("message à la personne")
        verbose_name_plural = _("messages aux personnes")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_channel_display()}, {self.due_at:%d/%m/%Y})"
