from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territory.models import haversine_km

from .enums import Service, SpecificNeed, StructureKind
from .opening_hours import validate_opening_hours


class Structure(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("réseau"), max_length=20, choices=StructureKind.choices)
    typology = models.CharField(_("typologie"), max_length=30, blank=True)
    pivot = models.CharField(
        _("SIRET ou RNA"), max_length=14, blank=True, help_text=_("14 chiffres, ou W + 9 chiffres")
    )
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    updated_at = models.DateTimeField(_("mis à jour le"), default=timezone.now)

    class Meta:
        verbose_name = _("structure")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Place(models.Model):
    """A place where help happens: one row of the national standard's file."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="places")
    external_id = models.CharField(
        _("identifiant national"),
        max_length=200,
        blank=True,
        help_text=_("Colonne « id » du fichier national ; vide pour un lieu saisi ici."),
    )
    name = models.CharField(_("nom"), max_length=200)
    address = models.CharField(_("adresse"), max_length=300)
    address_complement = models.CharField(_("complément d'adresse"), max_length=300, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=5, blank=True)
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    services = models.JSONField(_("services"), default=list, blank=True)
    specific_support = models.JSONField(
        _("prises en charge spécifiques"),
        default=list,
        blank=True,
        help_text=_("« Handicaps moteurs » signifie un lieu accessible en fauteuil."),
    )
    support_formats = models.JSONField(_("modalités d'accompagnement"), default=list, blank=True)
    accessibility_url = models.URLField(_("fiche d'accessibilité"), max_length=500, blank=True)
    opening_hours = models.CharField(
        _("horaires d'ouverture"),
        max_length=500,
        blank=True,
        validators=[validate_opening_hours],
        help_text=_(
            "Syntaxe OpenStreetMap, par ex. « Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00 »"
        ),
    )
    standard_extra = models.JSONField(
        _("autres colonnes du standard"),
        default=dict,
        blank=True,
        help_text=_("Colonnes du fichier national gardées telles quelles pour l'export."),
    )
    updated_at = models.DateTimeField(_("mis à jour le"), default=timezone.now)

    class Meta:
        verbose_name = _("lieu")
        ordering = ["name"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="place_point")]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="place_external_id"
            )
        ]

    def __str__(self):
        return f"{self.name}, {self.commune.name}"

    def save(self, *args, **kwargs):
        if not self.postal_code and self.commune_id:
            self.postal_code = self.commune.postal_codes.split()[0]
        super().save(*args, **kwargs)

    @property
    def is_accessible(self):
        return SpecificNeed.MOTOR.value in self.specific_support


class Advisor(models.Model):
    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="advisor_profile"
    )
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="advisors")
    themes = models.JSONField(_("thématiques"), default=list, help_text=_("Valeurs « Service »"))
    support_formats = models.JSONField(
        _("formats d'accompagnement"), default=list, blank=True, help_text=_("Valeurs du standard")
    )
    languages = models.JSONField(_("langues"), default=list, blank=True)
    specific_needs = models.JSONField(_("prises en charge spécifiques"), default=list, blank=True)
    places = models.ManyToManyField(Place, related_name="advisors", blank=True)
    home_visit_communes = models.ManyToManyField(
        "territory.Commune",
        verbose_name=_("communes desservies à domicile"),
        related_name="home_visit_advisors",
        blank=True,
    )
    remote_phone = models.BooleanField(_("aide à distance par téléphone"), default=False)
    remote_video = models.BooleanField(_("aide à distance en visio"), default=False)
    aidants_connect = models.BooleanField(_("habilitation Aidants Connect"), default=False)
    capacity = models.PositiveSmallIntegerField(
        _("capacité déclarée"), default=15, help_text=_("Accompagnements en cours au plus")
    )
    is_active = models.BooleanField(_("actif"), default=True)
    updated_at = models.DateTimeField(_("mis à jour le"), default=timezone.now)

    class Meta:
        verbose_name = _("conseiller")
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self):
        return self.user.get_full_name()

    def covers(self, needs):
        return set(needs) <= set(self.themes)

    def nearest_place(self, latitude, longitude):
        """(place, distance in km) of the advisor's nearest place, or (None, None)."""
        distances = [
            (haversine_km(latitude, longitude, place.latitude, place.longitude), place)
            for place in self.places.all()
        ]
        if not distances:
            return None, None
        distance, place = min(distances, key=lambda pair: pair[0])
        return place, distance


class Permanence(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("lundi")
        TUESDAY = 1, _("mardi")
        WEDNESDAY = 2, _("mercredi")
        THURSDAY = 3, _("jeudi")
        FRIDAY = 4, _("vendredi")
        SATURDAY = 5, _("samedi")

    advisor = models.ForeignKey(Advisor, on_delete=models.CASCADE, related_name="permanences")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="permanences")
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    start = models.TimeField(_("début"))
    end = models.TimeField(_("fin"))

    class Meta:
        verbose_name = _("permanence")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="permanence_order")
        ]

    def __str__(self):
        return (
            f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}, {self.place.name}"
        )


class Absence(models.Model):
    """An advisor away from `start` to `end`, both days included."""

    advisor = models.ForeignKey(Advisor, on_delete=models.CASCADE, related_name="absences")
    start = models.DateField(_("du"))
    end = models.DateField(_("au (inclus)"))
    note = models.CharField(_("motif (facultatif)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("absence")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="absence_order")
        ]

    def __str__(self):
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"


class UnmetNeed(models.Model):
    """A need for which no advisor was within reach of a person, once per person, need and month.

    Written when a referral is sent for a person (ranking the advisors reads only). The
    statistics count these rows by commune (hence EPCI), category and month; the person link
    only prevents counting the same person twice in a month and is cleared when the person is
    deleted.
    """

    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.PROTECT, related_name="unmet_needs"
    )
    category = models.CharField(_("besoin"), max_length=100, choices=Service.choices)
    month = models.DateField(_("mois"), help_text=_("Premier jour du mois"))
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("besoin sans conseiller à portée")
        verbose_name_plural = _("besoins sans conseiller à portée")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category", "month"], name="unmet_need_once_a_month"
            )
        ]

    def __str__(self):
        return f"{self.category} — {self.commune.name} — {self.month:%m/%Y}"


class DirectoryImport(models.Model):
    """A national file uploaded by the coordinator: checked first, applied only on request."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Vérification en cours")
        CHECKED = "checked", _("Vérifié")
        APPLYING = "applying", _("Application en cours")
        APPLIED = "applied", _("Appliqué")
        FAILED = "failed", _("Refusé")

    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("fichier"), max_length=200)
    content = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    file_errors = models.JSONField(default=list)
    report = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import de l'annuaire")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.created_at:%d/%m/%Y %H:%M})"

    @property
    def can_apply(self):
        return (
            self.status == self.Status.CHECKED
            and not self.file_errors
            and not self.counts.get("reject")
            and bool(self.counts.get("create") or self.counts.get("update"))
        )

    @property
    def is_running(self):
        return self.status in (self.Status.CHECKING, self.Status.APPLYING)

    @property
    def percent(self):
        return round(100 * self.rows_done / self.rows_total) if self.rows_total else 0


__all__ = [
    "Absence",
    "Advisor",
    "DirectoryImport",
    "Permanence",
    "Place",
    "Service",
    "Structure",
    "UnmetNeed",
]
