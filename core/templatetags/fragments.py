"""``{% fragment %}``: a part of a public page kept across changes that do not touch it.

::

    {% fragment "project-story" project.pk %}…{% endfragment %}
    {% fragment "giving-panel" project.pk funding=project.pk %}…{% endfragment %}

The part is kept under the editorial token, the language and the values given; with
``funding=<project pk>``, also under that project's funding version (see
``core.fragments``). Variables set inside a fragment are not seen after it.
"""

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe

from core import fragments

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, vary, funding):
        self.nodelist = nodelist
        self.name = name
        self.vary = vary
        self.funding = funding

    def render(self, context):
        if not fragments.in_use():
            return self.nodelist.render(context)
        vary = [value.resolve(context) for value in self.vary]
        if self.funding is not None:
            project = self.funding.resolve(context)
            vary.append(fragments.funding_versions([project])[project])
        key = fragments.fragment_key(self.name.resolve(context), *vary)
        content = cache.get(key)
        if content is None:
            content = self.nodelist.render(context)
            cache.set(key, str(content), fragments.FRAGMENT_TIMEOUT)
        return mark_safe(content)  # noqa: S308 - our own template's output, kept as it was


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name.")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    funding = None
    vary = []
    for bit in bits[2:]:
        if bit.startswith("funding="):
            funding = parser.compile_filter(bit.removeprefix("funding="))
        else:
            vary.append(parser.compile_filter(bit))
    return FragmentNode(nodelist, parser.compile_filter(bits[1]), vary, funding)
