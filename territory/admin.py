from django.contrib import admin

from .models import Commune, Department, Epci

admin.site.register(Department)
admin.site.register(Epci, search_fields=["name", "code"])
admin.site.register(
    Commune, search_fields=["name", "insee"], list_display=["name", "insee", "epci"]
)
