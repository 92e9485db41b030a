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
