"""Funding figures for portfolio templates (the donations app provides them; portfolio never
imports donations). Placeholder contract, to be completed by the pledges work:

- ``{% funding_by_project projects as funding %}`` — one query for a whole list; returns
  ``{project pk: figures}``; a card then includes
  ``{% include "donations/includes/funding_bar.html" with figures=funding|get_item:project.pk %}``.
- ``{% project_funding project %}`` — the project page's funding panel and pledge form.
"""

from django import template

register = template.Library()


@register.simple_tag
def funding_by_project(projects):
    return {}


@register.inclusion_tag("donations/includes/project_funding.html", takes_context=True)
def project_funding(context, project):
    return {"project": project, "request": context.get("request")}
