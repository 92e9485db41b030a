from django.contrib import admin

from .models import Assessment, QuestionnaireVersion


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    """The département adds a version here (or with `load_questionnaire`); a used one is locked."""

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
