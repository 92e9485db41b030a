"""Charts drawn on the server as SVG: the map of the département by EPCI, and bars.

Readable without colour: classes are told apart by patterns (dots, hatching, cross-hatching,
solid), each EPCI carries its figure as a label, and every chart sits next to its data table.
"""

import math
from functools import cache

from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from territory.services import epci_outlines

WIDTH = 560
PATTERNS = (
    # (id, French name of the class fill, SVG of the pattern)
    ("motif-points", "points", '<circle cx="3" cy="3" r="1.2" fill="#1d3557"/>'),
    ("motif-hachures", "hachures", '<path d="M0 6 L6 0" stroke="#1d3557" stroke-width="1.4"/>'),
    (
        "motif-quadrillage",
        "quadrillage",
        '<path d="M0 6 L6 0 M0 0 L6 6" stroke="#1d3557" stroke-width="1.4"/>',
    ),
    ("motif-plein", "plein", '<rect width="6" height="6" fill="#1d3557"/>'),
)


@cache
def _outlines(department_code):
    features = epci_outlines(department_code)["features"]
    rings = {
        feature["properties"]["epci_code"]: _rings(feature["geometry"]) for feature in features
    }
    points = [point for polygons in rings.values() for ring in polygons for point in ring]
    if not points:
        return {}, 0
    west = min(lon for lon, _lat in points)
    east = max(lon for lon, _lat in points)
    south = min(lat for _lon, lat in points)
    north = max(lat for _lon, lat in points)
    x_scale = math.cos(math.radians((north + south) / 2))  # equirectangular, true mid-map
    scale = WIDTH / ((east - west) * x_scale)
    height = round((north - south) * scale)

    def project(lon, lat):
        return (lon - west) * x_scale * scale, (north - lat) * scale

    shapes = {}
    for code, polygons in rings.items():
        projected = [[project(lon, lat) for lon, lat in ring] for ring in polygons]
        shapes[code] = (
            " ".join(
                "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in ring) + " Z" for ring in projected
            ),
            _label_point(max(projected, key=_area)),
        )
    return shapes, height


def _rings(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [polygon[0] for polygon in geometry["coordinates"]]


def _area(ring):
    return abs(_signed_area(ring))


def _edges(ring):
    return zip(ring, ring[1:] + ring[:1], strict=True)


def _signed_area(ring):
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in _edges(ring)) / 2


def _label_point(ring):
    """The centroid of the ring: where the EPCI's label is written."""
    area = _signed_area(ring) or 1
    pairs = list(_edges(ring))
    x = sum((x1 + x2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in pairs) / (6 * area)
    y = sum((y1 + y2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in pairs) / (6 * area)
    return x, y


def classes(values):
    """Up to three class limits (quartiles) of the published values above zero."""
    values = sorted(v for v in values if v)
    if not values:
        return []
    limits = [values[max(0, math.ceil(q * len(values)) - 1)] for q in (0.25, 0.5, 0.75)]
    return sorted(set(limits) - {values[-1]}) or [values[0]]


def _class_of(value, limits):
    return sum(1 for limit in limits if value > limit)


def epci_map(*, ident, title, figures, unit, department):
    """An SVG map of the département's EPCIs: `figures` maps each EPCI code to (name, Figure);
    hidden figures stay blank."""
    shapes, height = _outlines(getattr(department, "code", None))
    limits = classes(figure.value for _name, figure in figures.values() if not figure.hidden)
    defs = "".join(
        f'<pattern id="{ident}-{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f"{body}</pattern>"
        for pattern_id, _name, body in PATTERNS
    )
    areas, labels = [], []
    for code, (path, (x, y)) in shapes.items():
        name, figure = figures.get(code, ("", None))
        if figure is None:
            continue
        if figure.hidden or not figure.value:
            fill = "#ffffff"
        else:
            fill = f"url(#{ident}-{PATTERNS[_class_of(figure.value, limits)][0]})"
        areas.append(
            format_html(
                '<path d="{}" fill="{}" stroke="#222" stroke-width="1">'
                "<title>{} : {}</title></path>",
                path,
                fill,
                name,
                figure.display,
            )
        )
        labels.append(
            format_html(
                '<text x="{}" y="{}" class="etiquette" text-anchor="middle">{}</text>',
                round(x),
                round(y),
                figure.display,
            )
        )
    legend = _legend(ident, limits, unit, height)
    return mark_safe(  # noqa: S308 (every piece above is escaped by format_html)
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height + 140}" '
        f'role="img" aria-labelledby="{ident}-titre" class="carte">'
        f'<title id="{ident}-titre">{escape(title)}</title><defs>{defs}</defs>'
        f"{''.join(areas)}{''.join(labels)}{legend}</svg>"
    )


def _legend(ident, limits, unit, top):
    bounds = [None, *limits]
    items = []
    for index, (pattern_id, _name, _body) in enumerate(
        PATTERNS[: len(limits) + 1] if limits else []
    ):
        low = bounds[index]
        high = limits[index] if index < len(limits) else None
        if low is None and high is not None:
            text = f"jusqu'à {_number(high)} {unit}"
        elif high is None:
            text = f"plus de {_number(low)} {unit}" if low is not None else unit
        else:
            text = f"plus de {_number(low)} à {_number(high)} {unit}"
        y = top + 12 + 26 * index
        x = 10
        items.append(
            f'<rect x="{x}" y="{y}" width="22" height="18" fill="url(#{ident}-{pattern_id})" '
            f'stroke="#222"/><text x="{x + 30}" y="{y + 15}" class="legende">{escape(text)}</text>'
        )
    y = top + 12 + 26 * (len(limits) + 1 if limits else 0)
    items.append(
        f'<rect x="10" y="{y}" width="22" height="18" fill="#ffffff" stroke="#222"/>'
        f'<text x="40" y="{y + 15}" class="legende">zéro, non publié (secret statistique) ou '
        f"sans objet</text>"
    )
    return "".join(items)


def _number(value):
    return number_format(round(value, 1), 1) if isinstance(value, float) else f"{value}"


def bars(*, title, rows):
    """Horizontal bars: `rows` as (label, Cell); hidden cells get no bar, only their mark."""
    values = [cell.value for _label, cell in rows if not cell.hidden and cell.value is not None]
    highest = max(values, default=0) or 1
    bar_height, gap, label_width, bar_width = 18, 8, 230, 260
    height = len(rows) * (bar_height + gap) + gap
    items = []
    for index, (label, cell) in enumerate(rows):
        y = gap + index * (bar_height + gap)
        width = 0 if cell.hidden or not cell.value else bar_width * cell.value / highest
        short = label if len(label) <= 34 else label[:33] + "…"
        items.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="legende">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="url(#motif-hachures)" '
                'stroke="#1d3557"/>'
                '<text x="{}" y="{}" class="legende">{}</text>',
                label_width - 6,
                y + 13,
                short,
                label_width,
                y,
                round(width, 1),
                bar_height,
                round(label_width + width + 6, 1),
                y + 13,
                cell.display,
            )
        )
    pattern_id, _name, body = PATTERNS[1]
    return mark_safe(  # noqa: S308 (every piece above is escaped by format_html)
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_width + bar_width + 80} '
        f'{height}" role="img" aria-labelledby="graphique-titre" class="graphique">'
        f'<title id="graphique-titre">{escape(title)}</title>'
        f'<defs><pattern id="{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f"{body}</pattern></defs>{''.join(items)}</svg>"
    )
