"""What a web process does once, before its first request.

It imports every view (and with them WeasyPrint), makes the slip's font configuration and
parses its stylesheets, digests the slip's code and writes its version query, then
moves everything start-up allocated out of the garbage collector's way with `gc.freeze()`, as
Python's documentation advises for servers: the collector's full passes no longer walk the
long-lived objects of Django and WeasyPrint, which otherwise added a pause of some 40 ms to one
slip in ten (measured with `bench/slip.py`).
"""

import gc


def warm_up():
    from django.db import connection
    from django.urls import get_resolver

    from slips.content import Variant
    from slips.rendering import font_configuration, slip_stylesheet
    from slips.versions import code_digest, version_query

    get_resolver().url_patterns  # noqa: B018 - imports the URL configuration and every view
    font_configuration()
    for variant in Variant.ALL:
        slip_stylesheet(variant)
    code_digest()
    version_query(connection.vendor)
    gc.collect()
    gc.freeze()
