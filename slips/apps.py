from django.apps import AppConfig


class SlipsConfig(AppConfig):
    name = "slips"
    verbose_name = "Fiches de liaison"
