"""``{% fragment %}``: a part of a public page kept across changes that do not touch it.

::

    {% fragment "project-story" project.pk %}…{% endfragment %}
    {% fragment "project-story" project.pk content=project.pk %}…{% endfragment %}
    {% fragment "giving-panel" project.pk funding=project.pk %}…{% endfragment %}

The part is kept under the editorial token, the language and the values given; with
``content=<project pk>``, also under that project's content version, with
``funding=<project pk>`` under its funding version, and with any other ``<name>=<project
pk>`` under the version of that part of the project's page (``fragments.invalidate_part``).
With the word ``across_catalogue``, the part shows nothing but what those versions stand
for and the names of regions, sectors and partners: it is kept under the names token
instead of the editorial token (``fragments.fragment_key``), and a change of the catalogue
made by other projects leaves it good; with the word ``no_partners`` as well, it shows
nothing of partners, and is kept under the regions token, which a partner's save keeps;
with the word ``no_names`` too, it shows nothing of regions and sectors either, and is
kept under the counts token, which a region's or a sector's save keeps as well.
Variables set inside a fragment are not seen after it.
"""

from django import template
from django.utils.safestring import mark_safe

from core import fragments

register = template.Library()

VERSIONS = {"content": fragments.content_versions, "funding": fragments.funding_versions}


class FragmentNode(template.Node):
    def __init__(
        self,
        nodelist,
        name,
        vary,
        versions,
        across_catalogue=False,
        no_partners=False,
        no_names=False,
    ):
        self.nodelist = nodelist
        self.name = name
        self.vary = vary
        self.versions = versions  # {"content" or "funding": the project pk's expression}
        self.across_catalogue = across_catalogue
        self.no_partners = no_partners
        self.no_names = no_names

    def render(self, context):
        if not fragments.in_use():
            return self.nodelist.render(context)
        vary = [value.resolve(context) for value in self.vary]
        for kind, expression in self.versions.items():
            project = expression.resolve(context)
            if kind in VERSIONS:
                versions = VERSIONS[kind]([project])
            else:
                versions = fragments.part_versions(kind, [project])
            vary.append((kind, versions[project]))
        key = fragments.fragment_key(
            self.name.resolve(context),
            *vary,
            across_catalogue=self.across_catalogue,
            no_partners=self.no_partners,
            no_names=self.no_names,
        )
        content = fragments.keep(key, lambda: str(self.nodelist.render(context)))
        return mark_safe(content)  # noqa: S308 - our own template's output, kept as it was


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name.")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    versions = {}
    vary = []
    across_catalogue = no_partners = no_names = False
    for bit in bits[2:]:
        kind, equals, expression = bit.partition("=")
        if bit == "across_catalogue":
            across_catalogue = True
        elif bit == "no_partners":
            no_partners = True
        elif bit == "no_names":
            no_names = True
        elif equals:
            versions[kind] = parser.compile_filter(expression)
        else:
            vary.append(parser.compile_filter(bit))
    if no_partners and not across_catalogue:
        raise template.TemplateSyntaxError(
            "{% fragment %}: no_partners goes with across_catalogue."
        )
    if no_names and not no_partners:
        raise template.TemplateSyntaxError("{% fragment %}: no_names goes with no_partners.")
    name = parser.compile_filter(bits[1])
    return FragmentNode(nodelist, name, vary, versions, across_catalogue, no_partners, no_names)
