from django.contrib import admin

from .models import Advisor, Permanence, Place, Structure


class PermanenceInline(admin.TabularInline):
    model = Permanence
    extra = 0


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "typology", "commune"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "structure", "commune"]
    search_fields = ["name"]


@admin.register(Advisor)
class AdvisorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "structure", "is_active"]
    inlines = [PermanenceInline]
