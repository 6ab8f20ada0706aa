"""``{% project_sections project %}``: the sections other apps add to a project's page
(``portfolio.page_extensions``)."""

from django import template
from django.utils.html import format_html_join

from portfolio.page_extensions import project_sections as registered_sections

register = template.Library()


@register.simple_tag
def project_sections(project):
    # Each section is escaped unless its app marked it safe (a rendered template).
    return format_html_join("", "{}", ((render(project),) for render in registered_sections()))
