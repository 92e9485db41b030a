"""Every write on the directory: who may change which entry is checked here, once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pasip.errors import ApplicationError
from worker.publishing import publish

from . import national
from .models import Absence, Advisor, DirectoryImport, Permanence, Place, UnmetNeed
from .policies import (
    advisor_edit_check,
    advisor_places_check,
    directory_manage_check,
    place_edit_check,
)

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import Person
    from territory.models import Commune

logger = logging.getLogger(__name__)


@transaction.atomic
def advisor_update(
    *,
    user: User,
    advisor: Advisor,
    home_visit_communes: Iterable[Commune] | None = None,
    places: Iterable[Place] | None = None,
    **fields: Any,
) -> Advisor:
    """Updates an advisor's entry and stamps it; an advisor may change only their own."""
    advisor_edit_check(user, advisor)
    allowed = {
        "themes",
        "support_formats",
        "languages",
        "specific_needs",
        "remote_phone",
        "remote_video",
        "aidants_connect",
        "capacity",
        "is_active",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Unknown advisor fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(advisor, name, value)
    advisor.updated_at = timezone.now()
    advisor.save()
    if home_visit_communes is not None:
        advisor.home_visit_communes.set(home_visit_communes)
    if places is not None:
        advisor_places_check(user, advisor, places)
        advisor.places.set(places)
    return advisor


@transaction.atomic
def permanence_add(
    *, user: User, advisor: Advisor, place: Place, weekday: int, start: time, end: time
) -> Permanence:
    advisor_edit_check(user, advisor)
    permanence = Permanence.objects.create(
        advisor=advisor, place=place, weekday=weekday, start=start, end=end
    )
    advisor.places.add(place)
    _touch(advisor)
    return permanence


@transaction.atomic
def permanence_remove(*, user: User, permanence: Permanence) -> None:
    advisor_edit_check(user, permanence.advisor)
    permanence.delete()
    _touch(permanence.advisor)


@transaction.atomic
def absence_add(*, user: User, advisor: Advisor, start: date, end: date, note: str = "") -> Absence:
    advisor_edit_check(user, advisor)
    absence = Absence.objects.create(advisor=advisor, start=start, end=end, note=note)
    _touch(advisor)
    return absence


@transaction.atomic
def absence_remove(*, user: User, absence: Absence) -> None:
    advisor_edit_check(user, absence.advisor)
    absence.delete()
    _touch(absence.advisor)


@transaction.atomic
def place_save(*, user: User, place: Place) -> Place:
    """Creates or updates a place (already validated) and stamps it."""
    place_edit_check(user, place)
    place.updated_at = timezone.now()
    place.save()
    return place


def _touch(advisor: Advisor) -> None:
    Advisor.objects.filter(pk=advisor.pk).update(updated_at=timezone.now())


def unmet_needs_record(
    *, person: Person, commune: Commune, categories: Iterable[str], day: date
) -> None:
    """Records needs with no advisor within reach of `person`, once per person, need and month."""
    month = day.replace(day=1)
    UnmetNeed.objects.bulk_create(
        [
            UnmetNeed(commune=commune, category=category, month=month, person=person)
            for category in categories
        ],
        ignore_conflicts=True,
    )


# What the page says when the broker could not be reached: the import is saved and its step
# will be published again by the sweep (`directory_imports_requeue`, every few minutes).
APPLY_FAILED = gettext_lazy(
    "L'application a échoué (%(error)s) : rien n'a été modifié dans l'annuaire. Vérifiez le"
    " fichier de nouveau, ou déposez-en une version corrigée."
)
IMPORT_DEFERRED_MESSAGE = gettext_lazy(
    "Le service de traitement est momentanément indisponible : votre fichier est bien "
    "enregistré et son traitement démarrera automatiquement dans quelques minutes. "
    "Inutile de le déposer à nouveau."
)


def _queue(upload: DirectoryImport, task_name: str) -> None:
    """Publishes the import's next step after commit; a broker outage never fails the request.

    `upload.queued` says how it went once the transaction committed (False: the sweep will
    publish it again, the page may say so with `IMPORT_DEFERRED_MESSAGE`).
    """
    from . import tasks

    def send() -> None:
        upload.queued = publish(getattr(tasks, task_name), upload.pk)
        if not upload.queued:
            # The import's number only: its file name may name a person or a structure.
            logger.warning("Directory import %s left for the sweep: broker unavailable", upload.pk)

    upload.queued = None
    transaction.on_commit(send)


def directory_import_create(*, user: User, filename: str, content: bytes) -> DirectoryImport:
    """Stores an uploaded national file; its check runs in the worker after commit."""
    directory_manage_check(user)
    upload = DirectoryImport.objects.create(
        uploaded_by=user, filename=filename[:200], content=bytes(content)
    )
    _queue(upload, "directory_import_check")
    return upload


def directory_import_apply_request(*, user: User, upload: DirectoryImport) -> DirectoryImport:
    directory_manage_check(user)
    # No progress yet (rows_total back to 0) until the worker starts: what the sweep looks for.
    updated = upload.can_apply and DirectoryImport.objects.filter(
        pk=upload.pk, status=DirectoryImport.Status.CHECKED
    ).update(status=DirectoryImport.Status.APPLYING, rows_done=0, rows_total=0)
    if not updated:
        raise ApplicationError(
            _("Ce fichier ne peut pas être appliqué : vérifiez le rapport."), code="not_applicable"
        )
    _queue(upload, "directory_import_apply")
    return upload


def _progress_saver(upload: DirectoryImport) -> Callable[[int, int], None]:
    # Only for the step under way: a late duplicate of the check never writes over the
    # application's progress (whose absence tells the sweep the application has not started).
    status = upload.status

    def save(done: int, total: int) -> None:
        DirectoryImport.objects.filter(pk=upload.pk, status=status).update(
            rows_done=done, rows_total=total
        )

    return save


def directory_import_check(*, import_id: int) -> DirectoryImport:
    """Plans an uploaded file and stores the row-by-row report. Writes no place.

    Safe to run twice (a redelivered task, or one published again by the sweep): the report is
    stored only while the import is still being checked, never over a later step.
    """
    upload = DirectoryImport.objects.get(pk=import_id)
    if upload.status != DirectoryImport.Status.CHECKING:
        return upload
    file_plan = national.plan(bytes(upload.content), progress=_progress_saver(upload))
    DirectoryImport.objects.filter(pk=import_id, status=DirectoryImport.Status.CHECKING).update(
        report=[row.as_dict() for row in file_plan.rows],
        counts=file_plan.stored_counts(),
        file_errors=file_plan.file_errors,
        status=DirectoryImport.Status.CHECKED,
    )
    upload.refresh_from_db()
    return upload


def directory_import_apply(*, import_id: int) -> DirectoryImport:
    """Applies a checked file, all or nothing, after checking it again against today's data.

    Safe to run twice, even at once: the import is locked and found still to apply in the same
    transaction that writes the places and marks it applied.
    """
    upload = DirectoryImport.objects.get(pk=import_id)
    if upload.status != DirectoryImport.Status.APPLYING:
        return upload  # already applied, or never asked
    file_plan = national.plan(bytes(upload.content), progress=_progress_saver(upload))
    with transaction.atomic():
        upload = DirectoryImport.objects.select_for_update().defer("content").get(pk=import_id)
        if upload.status != DirectoryImport.Status.APPLYING:
            return upload  # applied meanwhile by another delivery of the task
        upload.report = [row.as_dict() for row in file_plan.rows]
        upload.counts = file_plan.stored_counts()
        upload.file_errors = file_plan.file_errors
        if file_plan.can_apply:
            try:
                with transaction.atomic():  # a savepoint: the import's row is still written
                    national.plan_apply(file_plan)
            except Exception as error:  # noqa: BLE001 (any failure ends the import, said)
                logger.exception("Directory import %s failed while applying", import_id)
                upload.status = DirectoryImport.Status.FAILED
                upload.file_errors = [APPLY_FAILED % {"error": error.__class__.__name__}]
            else:
                upload.status = DirectoryImport.Status.APPLIED
                upload.applied_at = timezone.now()
        else:
            upload.status = DirectoryImport.Status.FAILED
        upload.save(update_fields=["report", "counts", "file_errors", "status", "applied_at"])
    return upload


def directory_import_recheck(*, user: User, upload: DirectoryImport) -> DirectoryImport:
    """Checks a failed import again (the data it was checked against may have changed since):
    back to checking, its check published after commit."""
    directory_manage_check(user)
    updated = DirectoryImport.objects.filter(
        pk=upload.pk, status=DirectoryImport.Status.FAILED
    ).update(
        status=DirectoryImport.Status.CHECKING,
        rows_done=0,
        rows_total=0,
        report=[],
        counts={},
        file_errors=[],
        created_at=timezone.now(),
    )
    if not updated:
        raise ApplicationError(
            _("Seul un import refusé peut être vérifié de nouveau."), code="not_failed"
        )
    upload.refresh_from_db()
    _queue(upload, "directory_import_check")
    return upload


def directory_sources_fetch(*, keys: Iterable[str] | None = None) -> list[DirectoryImport]:
    """Fetches each enabled live source (or those of `keys`, when enabled) for the territory's
    département, stores what it gave as an import and checks it at once, as an uploaded file.

    Applying stays the coordinator's request. A source that fails leaves a refused import
    saying why (the directory and earlier imports are untouched). A content identical to an
    import of the same source still waiting to be applied is not stored again: that import is
    returned instead.
    """
    from django.conf import settings

    from .sources import SourceError, all_sources, national_content

    department = settings.PASIP_DEPARTMENT_CODE
    sources = all_sources()
    imports = []
    for key, source in sources.items():
        if (keys is not None and key not in keys) or not source.enabled():
            continue
        filename = _("%(source)s, département %(department)s, %(date)s") % {
            "source": source.LABEL,
            "department": department,
            "date": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
        }
        try:
            content = national_content(source.fetch(department), department)
        except SourceError as error:
            logger.warning("Directory source %s failed", key)
            imports.append(
                DirectoryImport.objects.create(
                    source=key,
                    filename=filename[:200],
                    content=b"",
                    status=DirectoryImport.Status.FAILED,
                    file_errors=[
                        _("Récupération impossible : %(error)s Rien n'a été modifié.")
                        % {"error": error}
                    ],
                )
            )
            continue
        waiting = (
            DirectoryImport.objects.filter(
                source=key,
                status__in=[DirectoryImport.Status.CHECKING, DirectoryImport.Status.CHECKED],
                content=content,
            )
            .defer("content")
            .first()
        )
        if waiting is not None:
            imports.append(waiting)
            continue
        upload = DirectoryImport.objects.create(
            source=key, filename=filename[:200], content=content
        )
        imports.append(directory_import_check(import_id=upload.pk))
    return imports


def directory_imports_requeue(*, older_than: float = 300, now: datetime | None = None) -> int:
    """Publishes again the imports whose worker never started (broker down when the upload or
    the application was asked, task lost before it began). Returns how many were published.

    Not started: still checking or applying with no progress recorded. An upload is given
    `older_than` seconds for its own task to arrive; an application is published again at
    once, its task being safe to run twice.
    """
    from . import tasks

    now = now or timezone.now()
    waiting = [
        (tasks.directory_import_check, pk)
        for pk in DirectoryImport.objects.filter(
            status=DirectoryImport.Status.CHECKING,
            rows_total=0,
            created_at__lte=now - timedelta(seconds=older_than),
        ).values_list("pk", flat=True)
    ] + [
        (tasks.directory_import_apply, pk)
        for pk in DirectoryImport.objects.filter(
            status=DirectoryImport.Status.APPLYING, rows_total=0
        ).values_list("pk", flat=True)
    ]
    published = 0
    for task, import_id in waiting:
        if not publish(task, import_id):
            logger.warning("Directory imports left for the next sweep: broker unavailable")
            break
        published += 1
    return published


__all__ = [
    "Place",
    "absence_add",
    "absence_remove",
    "advisor_update",
    "directory_import_apply",
    "directory_import_apply_request",
    "directory_import_check",
    "directory_import_recheck",
    "directory_import_create",
    "directory_imports_requeue",
    "directory_sources_fetch",
    "permanence_add",
    "permanence_remove",
    "place_save",
    "unmet_needs_record",
]
