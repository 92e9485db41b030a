"""Celery tasks of the directory: they load rows and call the services, nothing more."""

from celery import shared_task

from . import services


@shared_task
def directory_import_check(import_id):
    """Checks an uploaded national file row by row (a dry run), saving progress as it goes."""
    services.directory_import_check(import_id=import_id)


@shared_task
def directory_import_apply(import_id):
    """Applies a checked national file, all or nothing; a second run does nothing."""
    services.directory_import_apply(import_id=import_id)


@shared_task
def requeue_directory_imports():
    """Publishes again the imports whose worker never started (broker down when asked)."""
    return services.directory_imports_requeue()


# Reading a source page by page may take longer than the default limits (two minutes); ten
# minutes at most, so that the broker's visibility timeout still outlasts it and a retry delay.
@shared_task(time_limit=600, soft_time_limit=570)
def directory_sources_fetch(keys=None):
    """Fetches the enabled live sources (data·inclusion, La Coop) and checks what they gave;
    applying stays the coordinator's request. Returns the imports' numbers."""
    return [upload.pk for upload in services.directory_sources_fetch(keys=keys)]
