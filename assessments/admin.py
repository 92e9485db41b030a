from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from .models import Assessment, QuestionnaireVersion
from .questionnaire import definition_errors


class QuestionnaireVersionForm(forms.ModelForm):
    """A version is checked before it is saved: a broken one would stop every new assessment."""

    class Meta:
        model = QuestionnaireVersion
        fields = ["number", "definition", "created_at"]

    def clean(self):
        cleaned = super().clean()
        if "definition" not in self.fields or "definition" not in cleaned:
            return cleaned  # locked (in use) or not JSON: nothing more to check
        definition = cleaned["definition"]
        for error in definition_errors(definition):
            self.add_error("definition", error)
        number = cleaned.get("number")
        written = definition.get("version") if isinstance(definition, dict) else None
        if number is not None and written is not None and written != number:
            self.add_error(
                "number",
                _(
                    "Le numéro de version (%(number)s) doit être celui écrit dans la définition "
                    "(« version » : %(written)s)."
                )
                % {"number": number, "written": written},
            )
        return cleaned


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    """The département adds a version here (or with `load_questionnaire`); a used one is locked."""

    form = QuestionnaireVersionForm
    list_display = ["number", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.assessments.exists():
            return ["number", "definition", "created_at"]
        return []


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "person", "status", "version", "validated_at"]
    list_filter = ["status", "version"]
    readonly_fields = ["answers", "profile", "supersedes"]
