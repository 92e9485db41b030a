"""The advisors' live load, as the matching reads it: open referrals, recent declines for
capacity, and whether an advisor already helped the person. Registered with the matching
(`matching.candidates.load_source_register`) when the app loads.

Read for the advisors who meet every other hard condition (only the capacity reads the load),
then for the few listed under "why not", whose load is shown beside the reason. Only the rows
that count are read (open referrals, recent declines for capacity, the person's own), each kind
through its own index (`Referral.Meta.indexes`): an advisor's years of closed referrals are
never scanned.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection

from .models import OPEN_STATES, DeclineReason, Referral, ReferralState

if TYPE_CHECKING:
    from people.models import Person

HELPED_STATES = (ReferralState.ACCEPTED, ReferralState.IN_PROGRESS, ReferralState.COMPLETED)

LOAD_SQL = """
SELECT advisor_id,
       SUM(CASE WHEN state IN (%s, %s, %s) THEN 1 ELSE 0 END),
       SUM(CASE WHEN decline_reason = %s AND answered_at >= %s THEN 1 ELSE 0 END),
       MAX(CASE WHEN person_id = %s AND state IN (%s, %s, %s) THEN 1 ELSE 0 END)
FROM {table}
WHERE advisor_id IN ({ids})
  AND (state IN (%s, %s, %s) OR (decline_reason = %s AND answered_at >= %s) OR person_id = %s)
GROUP BY advisor_id
"""


def advisor_loads(
    *, pks: Sequence[int], person: Person | None, since: datetime
) -> dict[int, tuple[int, int, bool]]:
    """{advisor pk: (open referrals, declines for capacity since `since`, helped the person)}."""
    if not pks:
        return {}
    person_pk = person.pk if person is not None else None
    recent_full = [DeclineReason.NO_CAPACITY, since, person_pk]
    with connection.cursor() as cursor:
        cursor.execute(
            LOAD_SQL.format(
                table=connection.ops.quote_name(Referral._meta.db_table),
                ids=", ".join(["%s"] * len(pks)),
            ),
            [*OPEN_STATES, *recent_full, *HELPED_STATES, *pks, *OPEN_STATES, *recent_full],
        )
        return {
            pk: (int(open_count or 0), int(declines or 0), bool(helped))
            for pk, open_count, declines, helped in cursor.fetchall()
        }
