from celery import shared_task

from .services import stats_refresh


@shared_task
def refresh_statistics():
    """Rebuilds the statistics' pre-aggregated tables and publishes each département's years,
    disclosure control done, for the pages (beat, see worker/celery.py)."""
    stats_refresh()
