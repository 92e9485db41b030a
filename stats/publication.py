"""Publishing the year's tables: computed once per rebuild of the counts, year, language and
threshold, stored in `PublishedYear` for every process and cached. The only writes of the
statistics' tables are here."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import get_language

from territory.models import Department

from .builders import Year, referral_years, year_tables
from .models import (
    PublishedYear,
    ReferralCube,
    Refresh,
)
from .tables import department_tables, table_dump, table_load, threshold

# The year's tables change only when the pre-aggregated counts are rebuilt: computed once per
# rebuild, year, language and threshold (every year of each département in the rebuild's own
# transaction), stored in `PublishedYear` for every process, and kept in this
# process's memory once read.
TABLE_CACHE_SECONDS = 3600


def last_refresh():
    return Refresh.objects.order_by("-done_at").first()


def published_year(department, year):
    """Every table of `year` in `department`, as published after the last rebuild."""
    with department_tables(department):
        return _published_year(department, year)


def _published_year(department, year):
    refresh = last_refresh()
    parts = (refresh.pk if refresh else 0, threshold(), get_language(), department.pk, year)
    key = "stats:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    tables = cache.get(key)
    if tables is not None:
        return tables
    stored = None
    if refresh is not None:
        stored = PublishedYear.objects.filter(
            refresh=refresh,
            department=department,
            year=year,
            language=get_language(),
            threshold=threshold(),
        ).first()
    if stored is not None:
        tables = {slug: table_load(data, stored.threshold) for slug, data in stored.tables.items()}
    else:
        tables = year_tables(Year(department, year))
        if refresh is not None:
            _store(refresh, department, year, tables)
    cache.set(key, tables, TABLE_CACHE_SECONDS)
    return tables


def _store(refresh, department, year, tables):
    try:
        with transaction.atomic():
            PublishedYear.objects.create(
                refresh=refresh,
                department=department,
                year=year,
                language=get_language(),
                threshold=threshold(),
                tables={slug: table_dump(table) for slug, table in tables.items()},
            )
    except IntegrityError:  # another process stored the same tables meanwhile
        pass


def publish_years():
    """At a rebuild: every year of each département with referrals, latest first, published
    (in the site's language) with the counts, so that no page after the rebuild computes one."""
    departments = Department.objects.filter(
        pk__in=ReferralCube.objects.order_by().values("department").distinct()
    )
    with translation.override(settings.LANGUAGE_CODE):
        for department in departments:
            for year in referral_years(department):
                published_year(department, year)
