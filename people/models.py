from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .policies import persons_followed_filter

IDENTITY_CONSENT_REQUIRED = _(
    "Sans l'accord de la personne pour transmettre son identité, "
    "l'orientation ne peut pas être envoyée."
)


def validate_birth_year(year):
    latest = timezone.now().year - 15
    if not 1900 <= year <= latest:
        raise ValidationError(
            _("Indiquez une année de naissance entre 1900 et %(max)s.") % {"max": latest},
            code="birth_year",
        )


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Téléphone")
    EMAIL = "email", _("Courriel")
    POST = "post", _("Courrier ou fiche papier")


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Persons a user may open: those registered by the user's own structure."""
        followed = persons_followed_filter(user)
        if followed is None:
            return self.none()
        return self.filter(followed, erased_at__isnull=True)


class Person(models.Model):
    """The person accompanied. Minimal data: a birth year, never a date."""

    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    birth_year = models.PositiveSmallIntegerField(
        _("année de naissance"), validators=[validate_birth_year], null=True
    )
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    preferred_channel = models.CharField(
        _("moyen de contact préféré"),
        max_length=10,
        choices=ContactChannel.choices,
        default=ContactChannel.POST,
    )
    structure = models.ForeignKey(
        "directory.Structure", on_delete=models.PROTECT, related_name="persons"
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # After erasure only an anonymised record is left: names, contact and birth year are gone,
    # the age band, commune, needs, states and month-level dates stay for the statistics.
    erased_at = models.DateTimeField(_("données effacées le"), null=True, blank=True)
    age_band = models.CharField(_("tranche d'âge"), max_length=10, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("personne accompagnée")
        verbose_name_plural = _("personnes accompagnées")

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def initials(self):
        if self.erased_at:
            return "—"
        return f"{self.first_name[:1]}. {self.last_name[:1]}.".upper()

    @property
    def active_consent(self):
        consents = self.consents.filter(revoked_at__isnull=True).select_related("recorded_by")
        return consents.order_by("-recorded_at").first()


class Consent(models.Model):
    class Method(models.TextChoices):
        ORAL = "oral", _("Oral, en entretien")
        SIGNED = "signed", _("Fiche signée")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    share_identity = models.BooleanField(_("partager l'identité et les coordonnées"))
    share_assessment = models.BooleanField(_("partager le détail du diagnostic"))
    method = models.CharField(_("recueilli"), max_length=10, choices=Method.choices)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("retiré par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consentement")

    def __str__(self):
        return f"Consentement du {self.recorded_at:%d/%m/%Y}"


class PersonAccessQuerySet(models.QuerySet):
    """Append-only in bulk too: `update()` and `delete()` refuse, like a single row's."""

    def update(self, **kwargs):
        raise ValueError("The access log is append-only.")

    def delete(self):
        raise ValueError("The access log is append-only.")

    def retention_purge(self, *, before):
        """The one way rows leave the log: those older than `before`, the log being kept 12
        months (`people.services.access_log_purge`, run by beat). Returns how many went."""
        return models.QuerySet.delete(self.filter(at__lt=before))[0]


class PersonAccess(models.Model):
    """Who saw a person's data, when, and from which page or API call. Append-only."""

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="accesses")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    where = models.CharField(_("depuis"), max_length=200)

    objects = PersonAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation de données personnelles")
        verbose_name_plural = _("journal des consultations")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.user} → {self.person_id} ({self.where})"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The access log is append-only.")
