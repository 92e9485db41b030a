from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pasip.workdays import Weekday

from .enums import Service, SpecificNeed, StructureKind
from .opening_hours import validate_opening_hours


class Structure(models.Model):
    class Typology(models.TextChoices):
        """The national standard's `Typologie` of a structure, named in French."""

        MDS = "MDS", _("Maison des solidarités départementales")
        CCAS = "CCAS", _("Centre communal d'action sociale")
        CIAS = "CIAS", _("Centre intercommunal d'action sociale")
        CAF = "CAF", _("Caisse d'allocations familiales")
        MSA = "MSA", _("Mutualité sociale agricole")
        CPAM = "CPAM", _("Caisse primaire d'assurance maladie")
        RFS = "RFS", _("France Services")
        DEPT = "DEPT", _("Département")
        ASSO = "ASSO", _("Association")
        ML = "ML", _("Mission locale")
        BIB = "BIB", _("Bibliothèque, médiathèque")
        ACI = "ACI", _("Atelier et chantier d'insertion")
        ASE = "ASE", _("Aide sociale à l'enfance")
        CAP_EMPLOI = "CAP_EMPLOI", _("Cap emploi")
        CD = "CD", _("Conseil départemental")
        CDAS = "CDAS", _("Centre départemental d'action sociale")
        CHRS = "CHRS", _("Centre d'hébergement et de réinsertion sociale")
        CIDFF = "CIDFF", _("Centre d'information sur les droits des femmes et des familles")
        CMS = "CMS", _("Centre médico-social")
        CS = "CS", _("Centre social")
        CSC = "CSC", _("Centre socioculturel")
        EPCI = "EPCI", _("Intercommunalité")
        EPN = "EPN", _("Espace public numérique")
        FT = "FT", _("France Travail")
        LA_POSTE = "LA_POSTE", _("La Poste")
        MDE = "MDE", _("Maison de l'emploi")
        MDPH = "MDPH", _("Maison départementale des personnes handicapées")
        MJC = "MJC", _("Maison des jeunes et de la culture")
        MQ = "MQ", _("Maison de quartier")
        MSAP = "MSAP", _("Maison de services au public")
        MUNI = "MUNI", _("Mairie")
        PIJ_BIJ = "PIJ_BIJ", _("Point information jeunesse")
        PIMMS = "PIMMS", _("Point information médiation multi-services")
        PJJ = "PJJ", _("Protection judiciaire de la jeunesse")
        PREF = "PREF", _("Préfecture, sous-préfecture")
        SPIP = "SPIP", _("Service pénitentiaire d'insertion et de probation")
        TIERS_LIEUX = "TIERS_LIEUX", _("Tiers-lieu")
        UDAF = "UDAF", _("Union départementale des associations familiales")
        OTHER = "Autre", _("Autre")

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("réseau"), max_length=20, choices=StructureKind.choices)
    typology = models.CharField(_("typologie"), max_length=30, blank=True, choices=Typology.choices)
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


class Permanence(models.Model):
    DAYS = [(day.value, day.label) for day in Weekday if day != Weekday.SUNDAY]  # none on Sundays

    advisor = models.ForeignKey(Advisor, on_delete=models.CASCADE, related_name="permanences")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="permanences")
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=DAYS)
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

    Written when the person's assessment is validated and when a referral is sent for them
    (ranking the advisors reads only). The
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
    """A national file uploaded by the coordinator, or fetched from a live source (data·inclusion,
    La Coop de la médiation numérique): checked first, applied only on the coordinator's request."""

    class Source(models.TextChoices):
        FILE = "file", _("Fichier déposé")
        DATA_INCLUSION = "data_inclusion", _("data·inclusion")
        COOP = "coop", _("La Coop de la médiation numérique")

    class Status(models.TextChoices):
        CHECKING = "checking", _("Vérification en cours")
        CHECKED = "checked", _("Vérifié")
        APPLYING = "applying", _("Application en cours")
        APPLIED = "applied", _("Appliqué")
        FAILED = "failed", _("Refusé")

    # Nobody for an import fetched from a live source.
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.FILE
    )
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
