from celery import shared_task

from .selectors import publish_years
from .services import stats_refresh


@shared_task
def refresh_statistics():
    """Rebuilds the statistics' pre-aggregated tables (beat, see worker/celery.py), then
    publishes each département's years, disclosure control done, for the pages."""
    stats_refresh()
    publish_years()
