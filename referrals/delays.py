"""A referral's delays: working days from sending to the answer, the first meeting and the
closure. Read by the statistics (`stats.services`) and kept on the referral by the erasure
before it cuts the dates to the month (`answer_days`, `meeting_days`, `closure_days`)."""

from django.utils import timezone

from pasip.workdays import working_days_between

DELAY_PHASES = ("answer", "meeting", "closure")


def local_day(moment):
    return timezone.localtime(moment).date()


def referral_delays(sent_at, answered_at, first_meeting_at, closed_at):
    """The delays of one referral, for the phases that happened ({"answer": 3, ...})."""
    moments = (answered_at, first_meeting_at, closed_at)
    return dict(phase_delays(local_day(sent_at), moments, working_days_between))


def phase_delays(sent, moments, between):
    """(phase, working days) for each phase that happened; `between` counts the days."""
    for phase, moment in zip(DELAY_PHASES, moments, strict=True):
        if moment:
            yield phase, between(sent, local_day(moment))
