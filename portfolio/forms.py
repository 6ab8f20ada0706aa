from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import PlainSelect

from .models import Project

ALL = ""
PARTNER_HELP_ID = "partner-help"


class ProjectFilterForm(forms.Form):
    """The project list's search and filters: plain GET parameters, so links can be shared.

    Regions, sectors and partners are chosen by their slug in the visitor's language. The
    views load those rows once and hand them in; an option is offered when it has
    published projects, or when the address asks for it. Partners are too many to offer
    them all: the view hands in a few, and ``more_partners`` says others exist.
    """

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    region = forms.ChoiceField(label=_("Region"), required=False, widget=PlainSelect)
    sector = forms.ChoiceField(label=_("Sector"), required=False, widget=PlainSelect)
    partner = forms.ChoiceField(label=_("Partner"), required=False, widget=PlainSelect)
    status = forms.ChoiceField(
        widget=PlainSelect,
        label=_("Status"),
        required=False,
        choices=[(ALL, _("All statuses")), *Project.Status.choices],
    )

    def __init__(self, data, *, regions, sectors, partners, more_partners=False):
        super().__init__(data)
        self.options = {"region": regions, "sector": sectors, "partner": partners}
        self.fields["region"].choices = [(ALL, _("All regions")), *self._region_choices(regions)]
        self.fields["sector"].choices = [(ALL, _("All sectors")), *self._choices("sector")]
        self.fields["partner"].choices = [(ALL, _("All partners")), *self._choices("partner")]
        if more_partners:
            # The help under the select says which partners it offers, and where the rest are.
            self.fields["partner"].widget.attrs["aria-describedby"] = PARTNER_HELP_ID

    def _wanted(self, name, obj) -> bool:
        return getattr(obj, "has_projects", True) or self.data.get(name) == obj.slug

    def _choices(self, name):
        return [(obj.slug, str(obj)) for obj in self.options[name] if self._wanted(name, obj)]

    def _region_choices(self, regions):
        """Countries in name order, each followed by its parts, indented."""
        children = {}
        for region in regions:
            children.setdefault(region.parent_id, []).append(region)
        choices = []

        def add(parent_id, depth):
            for region in children.get(parent_id, []):
                if self._wanted("region", region):
                    choices.append((region.slug, "\u2003" * depth + str(region)))
                add(region.pk, depth + 1)

        add(None, 0)
        return choices

    def selected(self, name):
        """Return the chosen region, sector or partner, or None."""
        if not self.is_bound or name not in getattr(self, "cleaned_data", {}):
            return None
        slug = self.cleaned_data[name]
        return next((obj for obj in self.options[name] if obj.slug == slug), None)

    def value(self, name) -> str:
        """Return a cleaned value, or an empty one when it was missing or invalid."""
        return getattr(self, "cleaned_data", {}).get(name) or ""
