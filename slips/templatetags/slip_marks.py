"""Marks in front of the slip's lines: a bullet on the normal slip, a pictogram in large print.

Plain text on the normal slip: every extra inline box (a span, a ::before) costs WeasyPrint
about as much as laying out the line itself, and a list marker twice that (measured on the
slip: bench/slip.py).
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def mark(context, pictogram, bullet="• "):
    """The pictogram (hidden from screen readers) in large print; the bullet otherwise."""
    if context.get("large"):
        return format_html('<span class="icon" aria-hidden="true">{}</span>', pictogram)
    return bullet
