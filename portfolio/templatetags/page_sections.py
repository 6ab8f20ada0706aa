"""``{% page_sections "project" project %}``: the sections other apps add to a page
(see ``portfolio.page_extensions``)."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from ..page_extensions import page_sections as added_sections

register = template.Library()


@register.simple_tag
def page_sections(page, obj=None):
    # Each part is escaped unless its app marked it safe.
    parts = [conditional_escape(render(obj)) for render in added_sections(page)]
    return mark_safe("".join(parts))  # noqa: S308
