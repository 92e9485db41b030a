from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Travailleur social")
    ADVISOR = "advisor", _("Conseiller numérique")
    COORDINATOR = "coordinator", _("Coordinateur")
    OFFICER = "officer", _("Pilotage (Département)")
    ADMINISTRATOR = "administrator", _("Administrateur")


class User(AbstractUser):
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    structure = models.ForeignKey(
        "directory.Structure",
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    phone = models.CharField(_("téléphone professionnel"), max_length=20, blank=True)
    # The stable identifier ProConnect gives the agent (its `sub`), stored at the first
    # ProConnect login: later logins find the account by it, whatever the e-mail became.
    proconnect_sub = models.CharField(
        _("identifiant ProConnect"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        editable=False,
    )

    class Meta:
        verbose_name = _("utilisateur")

    @property
    def is_social_worker(self):
        return self.role == Role.SOCIAL_WORKER

    @property
    def is_advisor(self):
        return self.role == Role.ADVISOR

    @property
    def is_coordinator(self):
        return self.role == Role.COORDINATOR

    @property
    def is_officer(self):
        return self.role == Role.OFFICER

    @property
    def department(self):
        """The département whose data the user works on: that of the user's structure."""
        from territory.models import Department

        if self.structure_id:  # one query, asked on every page (its header names it)
            return Department.objects.filter(communes__structure=self.structure_id).first()
        from django.conf import settings

        return Department.objects.filter(code=settings.PASIP_DEPARTMENT_CODE).first()
