"""The slip's task: a referral's slips rendered by a worker as soon as they change while the
referral is open (sent, accepted with or without an appointment, first meeting, new consent)."""

import logging

from celery import shared_task
from django.db import transaction

logger = logging.getLogger("slips")


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
    transaction.on_commit(lambda: _publish(referral_id))


def referral_slip_changed(sender, *, referral_id, **kwargs):
    prerender_after_commit(referral_id)


def person_slips_changed(sender, *, person, **kwargs):
    """The slips of the person's open referrals print the consent: ready when printed again."""
    for referral_id in person.referrals.open().values_list("pk", flat=True):
        prerender_after_commit(referral_id)


def _publish(referral_id):
    from worker.publishing import publish

    if not publish(prerender_slips, referral_id):
        logger.info("Slips of referral %s not pre-rendered: broker unavailable", referral_id)
