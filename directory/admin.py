from django.contrib import admin

from .models import Absence, Advisor, DirectoryImport, Permanence, Place, Structure, UnmetNeed


class PermanenceInline(admin.TabularInline):
    model = Permanence
    extra = 0


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "typology", "pivot", "commune", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "pivot"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "structure", "commune", "external_id", "updated_at"]
    search_fields = ["name", "external_id"]
    list_select_related = ["structure", "commune"]


@admin.register(Advisor)
class AdvisorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "structure", "capacity", "is_active", "updated_at"]
    list_filter = ["is_active", "aidants_connect"]
    filter_horizontal = ["places", "home_visit_communes"]
    inlines = [PermanenceInline, AbsenceInline]


@admin.register(UnmetNeed)
class UnmetNeedAdmin(admin.ModelAdmin):
    list_display = ["month", "commune", "category"]
    list_filter = ["category", "month"]
    exclude = ["person"]
    readonly_fields = ["commune", "category", "month", "recorded_at"]


@admin.register(DirectoryImport)
class DirectoryImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "source", "uploaded_by", "status", "created_at", "applied_at"]
    list_filter = ["source", "status"]
    exclude = ["content", "report"]
    readonly_fields = [
        "filename",
        "source",
        "uploaded_by",
        "status",
        "counts",
        "file_errors",
        "applied_at",
    ]
