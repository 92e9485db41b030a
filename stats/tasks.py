from celery import shared_task
from django.conf import settings

from .services import stats_refresh


@shared_task(
    soft_time_limit=settings.PASIP_STATS_REFRESH_TIME_LIMIT,
    time_limit=settings.PASIP_STATS_REFRESH_TIME_LIMIT + 60,
)
def refresh_statistics():
    """Rebuilds the statistics' pre-aggregated tables and publishes each département's years,
    disclosure control done, for the pages (beat, see worker/celery.py)."""
    stats_refresh()
