from django.db import models
from django.utils.translation import gettext_lazy as _

from territory.models import haversine_km

from .enums import Service, StructureKind


class Structure(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("réseau"), max_length=20, choices=StructureKind.choices)
    typology = models.CharField(_("typologie"), max_length=30, blank=True)
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("courriel"), blank=True)

    class Meta:
        verbose_name = _("structure")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Place(models.Model):
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="places")
    name = models.CharField(_("nom"), max_length=200)
    address = models.CharField(_("adresse"), max_length=300)
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT)
    latitude = models.FloatField()
    longitude = models.FloatField()
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("lieu")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.commune.name}"


class Advisor(models.Model):
    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="advisor_profile"
    )
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="advisors")
    themes = models.JSONField(_("thématiques"), default=list, help_text=_("Valeurs « Service »"))
    places = models.ManyToManyField(Place, related_name="advisors", blank=True)
    is_active = models.BooleanField(_("actif"), default=True)

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

    def __str__(self):
        return (
            f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}, {self.place.name}"
        )


__all__ = ["Advisor", "Permanence", "Place", "Service", "Structure"]
