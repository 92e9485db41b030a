from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class PasipUserAdmin(UserAdmin):
    fieldsets = [
        *UserAdmin.fieldsets,
        ("PASIP", {"fields": ("role", "structure", "phone", "proconnect_sub")}),
    ]
    readonly_fields = ["proconnect_sub"]
    list_display = ["username", "first_name", "last_name", "role", "structure"]
    list_filter = ["role"]
    actions = ["unbind_proconnect"]

    @admin.action(description="Délier de ProConnect (la prochaine connexion se lie par l'e-mail)")
    def unbind_proconnect(self, request, queryset):
        """For an agent whose ProConnect identifier changed (a new identity provider): the next
        ProConnect login binds the account again by its e-mail address."""
        count = queryset.exclude(proconnect_sub=None).update(proconnect_sub=None)
        self.message_user(request, f"{count} compte(s) délié(s) de ProConnect.")
