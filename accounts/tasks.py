"""Beat tasks of the accounts."""

from axes.handlers.proxy import AxesProxyHandler
from celery import shared_task
from django.conf import settings


@shared_task
def prune_login_logs():
    """Deletes the login logs (successes and failures: usernames and addresses) older than
    `PASIP_LOGIN_LOG_RETENTION_DAYS`; the address lock reads only the last hour."""
    days = settings.PASIP_LOGIN_LOG_RETENTION_DAYS
    return {
        "successes": AxesProxyHandler.reset_logs(age_days=days),
        "failures": AxesProxyHandler.reset_failure_logs(age_days=days),
    }
