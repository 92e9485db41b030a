"""Live sources of the directory (data·inclusion, La Coop): their recorded answers, served over
real HTTP by a server of the test on 127.0.0.1, become a national file checked as an upload."""

import contextlib
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from directory import national
from directory.models import DirectoryImport, Place
from directory.sources import SourceError, coop, data_inclusion
from directory.tasks import directory_import_apply, directory_sources_fetch
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RECORDED = Path(__file__).parent / "data" / "sources"
COOP_HOST = "https://coop-numerique.anct.gouv.fr"


def recorded(name):
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


class Handler(BaseHTTPRequestHandler):
    """Answers the recorded files; `/error/…` with HTTP 503, `/slow/…` after a while."""

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        self.server.requests.append(
            {"path": url.path, "query": query, "authorization": self.headers["Authorization"]}
        )
        base = f"http://127.0.0.1:{self.server.server_port}"
        if url.path.startswith("/error/"):
            return self._answer(503, b'{"detail": "Service Unavailable"}')
        if url.path.startswith("/slow/"):
            time.sleep(1.5)
            return self._answer(200, b'{"items": [], "pages": 1}')
        if url.path == "/denied/api/v1/structures":
            return self._answer(401, b'{"detail": "Not authenticated"}')
        if url.path == "/garbage/api/v1/lieux-activite":
            return self._answer(200, b"<html>maintenance</html>")
        name = None
        if url.path == "/di/api/v1/structures":
            name = f"data-inclusion-structures-page-{query['page'][0]}.json"
        elif url.path == "/di/api/v1/services":
            name = "data-inclusion-services.json"
        elif url.path == "/coop/api/v1/lieux-activite":
            name = "coop-lieux-activite.json"
        elif url.path == "/coop-paged/api/v1/lieux-activite":
            name = f"coop-lieux-activite-page-{2 if 'page[after]' in query else 1}.json"
        if name is None:
            return self._answer(404, b'{"detail": "Not Found"}')
        body = (RECORDED / name).read_text(encoding="utf-8")
        body = body.replace(COOP_HOST, f"{base}/coop-paged")
        return self._answer(200, body.encode("utf-8"))

    def _answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError):  # the client gave up (the timeout test)
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A real HTTP server on a free port of 127.0.0.1; yields its base URL (its `requests`)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_port}"
    base_url = type("Base", (str,), {})(base)
    base_url.requests = httpd.requests
    yield base_url
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def sources(settings, server):
    """Both sources on, pointed at the test's server."""
    settings.PASIP_DATA_INCLUSION_URL = f"{server}/di/api/v1"
    settings.PASIP_DATA_INCLUSION_TOKEN = "di-token"
    settings.PASIP_COOP_URL = f"{server}/coop/api/v1"
    settings.PASIP_COOP_TOKEN = "client-id:client-secret"
    settings.PASIP_SOURCES_TIMEOUT = 5
    return server


def by_id(rows):
    return {row["id"]: row for row in rows}


# --- Conversion of the recorded answers -------------------------------------------------------


def test_data_inclusion_structures_with_a_digital_service_become_national_rows():
    structures = (
        recorded("data-inclusion-structures-page-1.json")["items"]
        + recorded("data-inclusion-structures-page-2.json")["items"]
    )
    rows = by_id(
        data_inclusion.convert(structures, recorded("data-inclusion-services.json")["items"])
    )

    # The CCAS offers no digital service: not a place of digital mediation.
    assert "dora--3a9f0c1e-8b2d-4c7a-a5e6-2f8d1b0c7e44" not in rows
    figeac = rows["dora--7d1c2b7a-3f55-4a3e-9c44-0b1f4e2d9a10"]
    assert figeac["pivot"] == "20006736100142" and figeac["code_insee"] == "46102"
    assert figeac["services"] == (
        "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien"
    )
    assert figeac["frais_a_charge"] == "Gratuit"
    assert figeac["modalites_accompagnement"] == "À distance"
    assert figeac["horaires"] == "Tu-Sa 10:00-12:30,14:00-18:00"
    assert figeac["source"] == "data·inclusion (dora)"
    gourdon = rows["france-travail--46127-fs"]
    assert gourdon["pivot"] == national.UNKNOWN_PIVOT  # neither SIRET nor RNA
    assert gourdon["date_maj"] == "2026-10-11"
    assert gourdon["services"] == "Accès internet et matériel informatique"  # unknown dropped
    assert gourdon["frais_a_charge"] == "Gratuit sous condition"
    # A service's contact person is not carried.
    assert "Camille" not in json.dumps(list(rows.values()), ensure_ascii=False)


def test_the_data_inclusion_rows_are_checked_as_a_national_file():
    structures = (
        recorded("data-inclusion-structures-page-1.json")["items"]
        + recorded("data-inclusion-structures-page-2.json")["items"]
    )
    rows = data_inclusion.convert(structures, recorded("data-inclusion-services.json")["items"])
    from directory.sources import national_content

    file_plan = national.plan(national_content(rows, "46"))

    assert file_plan.file_errors == []
    assert file_plan.counts == {"create": 2, "update": 0, "unchanged": 0, "reject": 1}
    assert file_plan.ignored_by_department == {"12": 1}  # Rodez, counted and ignored
    rejected = next(row for row in file_plan.rows if row.action == national.REJECT)
    assert rejected.id == "soliguide--48213"
    assert "« adresse » est vide." in rejected.errors


def test_coop_places_keep_the_schema_columns_only_and_are_checked():
    from directory.sources import national_content

    rows = coop.convert(recorded("coop-lieux-activite.json"))
    content = national_content(rows, "46")

    assert b"lea.marty" not in content and "Léa Marty".encode() not in content
    stored = by_id(json.loads(content))
    assert stored["5b0d6f0e-2c8a-4a51-9d3e-6f1a7c2b9e01"]["latitude"] == "44.449"
    # Another département's row keeps only where it is.
    toulouse = stored["c1d2e3f4-0a1b-4c2d-8e3f-a4b5c6d7e8f9"]
    assert toulouse["code_insee"] == "31555" and toulouse["nom"] == ""
    file_plan = national.plan(content)
    assert file_plan.counts == {"create": 1, "update": 0, "unchanged": 0, "reject": 1}
    assert file_plan.ignored_by_department == {"31": 1}
    rejected = next(row for row in file_plan.rows if row.action == national.REJECT)
    assert rejected.name == "Bus numérique du Ségala"
    assert "« adresse » est vide." in rejected.errors


# --- The clients over real HTTP ---------------------------------------------------------------


def test_the_data_inclusion_client_reads_every_page_with_its_token(sources):
    rows = data_inclusion.fetch("46")

    assert len(rows) == 4  # the CCAS left out
    structures = [r for r in sources.requests if r["path"].endswith("/structures")]
    assert [r["query"]["page"] for r in structures] == [["1"], ["2"]]
    assert all(r["query"]["code_departement"] == ["46"] for r in sources.requests)
    services = [r for r in sources.requests if r["path"].endswith("/services")]
    assert services[0]["query"]["thematiques"] == ["numerique"]
    assert {r["authorization"] for r in sources.requests} == {"Bearer di-token"}


def test_the_coop_client_follows_next_pages_on_the_same_host(sources, settings):
    settings.PASIP_COOP_URL = f"{sources}/coop-paged/api/v1"

    rows = coop.fetch("46")

    assert [row["nom"] for row in rows] == [
        "Espace France Services de Saint-Céré",
        "Maison France Services de Figeac",
    ]
    assert len(sources.requests) == 2
    assert sources.requests[1]["query"]["page[after]"] == ["eyJpZCI6IjdhN2EifQ"]
    assert {r["authorization"] for r in sources.requests} == {"Bearer client-id:client-secret"}


def test_an_error_status_a_refusal_and_garbage_are_said_in_french(sources, settings):
    settings.PASIP_DATA_INCLUSION_URL = f"{sources}/error/api/v1"
    with pytest.raises(SourceError, match=r"data·inclusion a répondu par une erreur \(HTTP 503\)"):
        data_inclusion.fetch("46")
    settings.PASIP_DATA_INCLUSION_URL = f"{sources}/denied/api/v1"
    with pytest.raises(SourceError, match="refusé l'accès.*jeton"):
        data_inclusion.fetch("46")
    settings.PASIP_COOP_URL = f"{sources}/garbage/api/v1"
    with pytest.raises(SourceError, match="réponse illisible"):
        coop.fetch("46")


def test_a_source_too_slow_is_a_timeout(sources, settings):
    settings.PASIP_SOURCES_TIMEOUT = 0.3
    settings.PASIP_COOP_URL = f"{sources}/slow/api/v1"

    started = time.monotonic()
    with pytest.raises(SourceError, match="n'a pas répondu dans les 0.3 secondes"):
        coop.fetch("46")
    assert time.monotonic() - started < 1.4


# --- The task, the command, the page, the schedule --------------------------------------------


def test_the_task_stores_each_enabled_source_as_a_checked_import(sources):
    ids = directory_sources_fetch()

    imports = {upload.source: upload for upload in DirectoryImport.objects.filter(pk__in=ids)}
    assert set(imports) == {"data_inclusion", "coop"}
    di, coop_import = imports["data_inclusion"], imports["coop"]
    assert di.status == coop_import.status == DirectoryImport.Status.CHECKED
    assert di.uploaded_by is None and "département 46" in di.filename
    assert di.counts["create"] == 2 and di.counts["reject"] == 1 and di.counts["ignored"] == 1
    assert coop_import.counts["ignored_by_department"] == {"31": 1}
    assert Place.objects.count() == 0  # checked only: applying is the coordinator's
    # The same answers again: nothing piles up, the waiting imports are given back.
    assert sorted(directory_sources_fetch()) == sorted(ids)
    assert DirectoryImport.objects.count() == 2


def test_the_page_shows_where_a_fetched_import_comes_from_and_its_report(sources, client):
    (upload,) = DirectoryImport.objects.filter(pk__in=directory_sources_fetch(keys=["coop"])).defer(
        "content"
    )
    # One rejected row: the same rule as a file, it cannot be applied.
    assert not upload.can_apply
    client.force_login(UserFactory(coordinator=True))

    listing = client.get(reverse("directory_imports")).content.decode()
    detail = client.get(reverse("directory_import", args=[upload.pk])).content.decode()

    assert "<td>La Coop de la médiation numérique</td>" in listing
    assert "Source : <strong>La Coop de la médiation numérique</strong>" in detail
    assert "1 ligne d&#x27;un autre département ignorée" in detail
    assert "Bus numérique du Ségala" in detail and "Appliquer le fichier" not in detail


def test_the_coordinator_applies_a_fetched_import_as_a_file(
    sources, settings, client, django_capture_on_commit_callbacks
):
    settings.PASIP_COOP_URL = f"{sources}/coop-paged/api/v1"
    (upload_id,) = directory_sources_fetch(keys=["coop"])
    client.force_login(UserFactory(coordinator=True))
    assert (
        "Appliquer le fichier"
        in client.get(reverse("directory_import", args=[upload_id])).content.decode()
    )

    with django_capture_on_commit_callbacks() as queued:
        client.post(reverse("directory_import_apply", args=[upload_id]))
    assert len(queued) == 1
    directory_import_apply(upload_id)  # what the worker runs

    assert DirectoryImport.objects.get(pk=upload_id).status == DirectoryImport.Status.APPLIED
    assert sorted(Place.objects.values_list("name", flat=True)) == [
        "Espace France Services de Saint-Céré",
        "Maison France Services de Figeac",
    ]


def test_a_failing_source_is_a_refused_import_saying_why_and_the_other_still_comes(
    sources, settings, client
):
    settings.PASIP_DATA_INCLUSION_URL = f"{sources}/error/api/v1"

    ids = directory_sources_fetch()

    failed = DirectoryImport.objects.get(pk__in=ids, source="data_inclusion")
    assert failed.status == DirectoryImport.Status.FAILED
    assert failed.file_errors == [
        "Récupération impossible : data·inclusion a répondu par une erreur (HTTP 503). "
        "Réessayez plus tard. Rien n'a été modifié."
    ]
    assert DirectoryImport.objects.get(pk__in=ids, source="coop").status == "checked"
    client.force_login(UserFactory(coordinator=True))
    page = client.get(reverse("directory_import", args=[failed.pk])).content.decode()
    assert "HTTP 503" in page
    assert "Vérifier le fichier de nouveau" not in page  # nothing was fetched to check again


def test_a_source_that_is_off_is_not_fetched(sources, settings):
    settings.PASIP_DATA_INCLUSION_URL = ""
    settings.PASIP_COOP_URL = ""

    assert directory_sources_fetch() == []
    assert DirectoryImport.objects.count() == 0 and sources.requests == []


def test_sources_are_off_by_default():
    from pasip.settings import base

    assert base.PASIP_DATA_INCLUSION_URL == "" and base.PASIP_COOP_URL == ""


def test_the_command_fetches_the_named_source_only(sources, capsys):
    call_command("fetch_directory_sources", "--source", "coop")

    out = capsys.readouterr().out
    assert "La Coop de la médiation numérique : import n°" in out
    assert "1 à créer" in out and "1 rejetées" in out
    assert list(DirectoryImport.objects.values_list("source", flat=True)) == ["coop"]
    assert all("/coop/" in r["path"] for r in sources.requests)


def test_the_command_says_a_source_is_off_and_fails_on_a_failed_source(sources, settings, capsys):
    settings.PASIP_COOP_URL = ""
    settings.PASIP_DATA_INCLUSION_URL = f"{sources}/error/api/v1"

    with pytest.raises(CommandError):
        call_command("fetch_directory_sources")

    captured = capsys.readouterr()
    assert "La Coop de la médiation numérique : source désactivée" in captured.out
    assert "HTTP 503" in captured.err


def test_beat_fetches_the_sources_every_night():
    from celery.schedules import crontab

    from worker.celery import app, schedule_periodic_jobs

    schedule_periodic_jobs(app)
    entry = app.conf.beat_schedule["fetch-directory-sources"]

    assert entry["task"] == "directory.tasks.directory_sources_fetch"
    assert entry["schedule"] == crontab(hour=3, minute=20)
    assert entry["task"] in app.tasks


def test_a_source_address_other_than_http_is_refused_before_any_read(settings, tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text("[]")
    settings.PASIP_COOP_URL = f"file://{tmp_path}"
    with pytest.raises(SourceError, match="adresse invalide"):
        coop.fetch("46")
