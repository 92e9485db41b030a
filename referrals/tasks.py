"""Beat tasks: each loads nothing itself and calls one service."""

from celery import shared_task


@shared_task
def apply_deadlines():
    from .services import referral_deadlines_apply

    return referral_deadlines_apply()
