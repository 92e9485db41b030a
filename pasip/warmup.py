"""What a web process does once, before its first request.

It imports every view (and with them WeasyPrint), makes the slip's font configuration and
parses its stylesheets, then
moves everything start-up allocated out of the garbage collector's way with `gc.freeze()`, as
Python's documentation advises for servers: the collector's full passes no longer walk the
long-lived objects of Django and WeasyPrint, which otherwise added a pause of some 40 ms to one
slip in ten (measured with `bench/slip.py`).
"""

import gc


def warm_up():
    from django.urls import get_resolver

    from slips.content import Variant
    from slips.rendering import font_configuration, slip_stylesheet

    get_resolver().url_patterns  # noqa: B018 - imports the URL configuration and every view
    font_configuration()
    for variant in Variant.ALL:
        slip_stylesheet(variant)
    gc.collect()
    gc.freeze()
