"""Pages of a long list: the keys of the page first, then the page's rows with their relations.

Sorting a user's referrals joined to their persons, communes, advisors and structures makes the
database join every row before it keeps fifty. Reading the page's primary keys first sorts
narrow rows through an index, and only the page's fifty rows are then joined (the same query,
restricted to those keys, so that `select_related` and `prefetch_related` still apply).
"""

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination


class KeysFirstPaginator(Paginator):
    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys).order_by()}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


class KeysFirstPagination(PageNumberPagination):
    django_paginator_class = KeysFirstPaginator
