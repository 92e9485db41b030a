from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.policies import persons_followed_filter

from .profile import profile_from_json
from .questionnaire import Questionnaire


class QuestionnaireVersion(models.Model):
    """One version of the questionnaire, as data: areas, items, answer types, need categories.

    The département adds a version (admin page or `load_questionnaire` with a data file);
    an assessment keeps the version it was made on, so a new version never changes it.
    """

    number = models.PositiveIntegerField(_("numéro de version"), unique=True)
    definition = models.JSONField(_("définition"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("version du questionnaire")
        verbose_name_plural = _("versions du questionnaire")
        ordering = ["-number"]

    def __str__(self):
        return _("Questionnaire, version %(number)s") % {"number": self.number}

    @classmethod
    def current(cls):
        return cls.objects.order_by("-number").first()

    @property
    def questionnaire(self):
        return Questionnaire(self.definition)


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Assessments a user may open: those of the persons of the user's own structure."""
        followed = persons_followed_filter(user, "person__structure_id")
        if followed is None:
            return self.none()
        return self.filter(followed)

    def latest_for(self, person):
        """The person's assessment in progress or last made."""
        return self.filter(person=person).order_by("-created_at", "-pk").first()

    def validated_for(self, person):
        """The person's last validated assessment: the one a referral is sent with."""
        return (
            self.filter(person=person, status=Assessment.Status.VALIDATED)
            .order_by("-validated_at", "-pk")
            .first()
        )


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
    version = models.ForeignKey(
        QuestionnaireVersion,
        verbose_name=_("version du questionnaire"),
        on_delete=models.PROTECT,
        null=True,
        related_name="assessments",
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("corrige le diagnostic"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    validated_at = models.DateTimeField(_("validé le"), null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("diagnostic numérique")
        verbose_name_plural = _("diagnostics numériques")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Diagnostic du {self.created_at:%d/%m/%Y}"

    @property
    def questionnaire(self):
        return self.version.questionnaire

    @property
    def is_validated(self):
        return self.status == self.Status.VALIDATED

    @property
    def is_frozen(self):
        """Attached to a sent referral: never changed again, corrected by a new version."""
        return self.referrals.exists()

    @property
    def needs_profile(self):
        """The stored profile as a `NeedsProfile`, or None before validation."""
        return profile_from_json(self.profile) if self.profile else None
