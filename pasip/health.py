"""Health checks for the orchestrator: `/healthz` (the process answers) and `/readyz` (it can
serve: database reachable, every migration applied, broker reachable); and the wait of the
worker and beat for the migrations (worker.celery)."""

import logging
import time

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def pending_migrations():
    """The migrations not yet applied to the database (names), raising DatabaseError when the
    database cannot be reached."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def wait_for_migrations(*, timeout, poll=2.0):
    """Returns once the database is reachable and fully migrated; SystemExit after `timeout`
    seconds. The worker and beat call it before they start taking or scheduling tasks, so that a
    deployment may start them with the web process that migrates."""
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            pending = pending_migrations()
        except DatabaseError as error:
            pending = [f"base de données injoignable ({error.__class__.__name__})"]
        finally:
            connection.close()
        if not pending:
            if told:
                logger.warning("Migrations appliquées : démarrage.")
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"Migrations toujours en attente après {timeout:.0f} s : {pending}")
        if not told:
            logger.warning("En attente des migrations : %s", ", ".join(pending[:5]))
            told = True
        time.sleep(poll)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _migrations():
    pending = pending_migrations()
    return f"{len(pending)} en attente" if pending else "ok"


def _broker():
    from worker.celery import app

    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """The process is up and answers: nothing else is checked (no database query)."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_GET
def readyz(request):
    """200 when the database answers, every migration is applied and the broker answers; 503
    naming what is not ready otherwise (no detail of the infrastructure beyond that)."""
    checks = {}
    for name, check in (("database", _database), ("migrations", _migrations), ("broker", _broker)):
        try:
            checks[name] = check()
        except Exception as error:  # noqa: BLE001 (any failure means not ready)
            checks[name] = f"indisponible ({error.__class__.__name__})"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "indisponible", "checks": checks},
        status=200 if ready else 503,
    )
