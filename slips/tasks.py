"""The slip's task: a referral's slips rendered by a worker as soon as it is sent."""

from celery import shared_task
from django.db import transaction


@shared_task
def prerender_slips(referral_id):
    from referrals.models import Referral

    from .rendering import slips_prerender

    try:
        slips_prerender(referral_id)
    except Referral.DoesNotExist:
        return  # deleted meanwhile: nothing to print


def prerender_after_commit(referral_id):
    """After commit, asks a worker to render the referral's slips (both variants, PDF and print
    page) into the shared cache. A broker outage costs nothing but the head start: the
    slip is then rendered when first asked for."""
    from worker.publishing import publish

    transaction.on_commit(lambda: publish(prerender_slips, referral_id))
