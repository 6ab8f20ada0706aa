"""Form widgets for public pages, where rendering speed counts."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


class PlainSelect(forms.Select):
    """A ``<select>`` written in Python, without a template per option.

    Django renders each option through the template engine; a filter panel of a few dozen
    options cost more than the rest of the list page. Same markup, flat choices only, each
    value and label escaped as ``format_html`` escapes them (at half its cost).
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {"" if v is None else str(v) for v in self.format_value(value)}
        escape = conditional_escape
        options = mark_safe(  # noqa: S308 - every value and label escaped
            "".join(
                f'<option value="{escape(option_value)}"'
                f"{' selected' if str(option_value) in chosen else ''}>{escape(label)}</option>"
                for option_value, label in self.choices
            )
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attributes, options)
