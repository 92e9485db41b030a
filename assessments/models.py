from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Assessment(models.Model):
    """A digital-needs assessment of one person, on one version of the questionnaire."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        VALIDATED = "validated", _("Validé")

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="assessments"
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    answers = models.JSONField(default=dict)
    profile = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("diagnostic numérique")
        verbose_name_plural = _("diagnostics numériques")

    def __str__(self):
        return f"Diagnostic du {self.created_at:%d/%m/%Y}"
