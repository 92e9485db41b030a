"""Beat tasks: each calls one service."""

from celery import shared_task


@shared_task
def apply_retention():
    from .services import persons_retention_apply

    return persons_retention_apply()
