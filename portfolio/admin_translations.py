"""What the admin shows of translations: the publication warning and the report."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.translations import (
    field_label,
    is_filled,
    language_codes,
    language_name,
    missing_by_language,
    missing_condition,
)
from partners.models import Partner

from .models import Project, ProjectUpdate, Region, Sector

# The rows the report lists per kind of page; the list's filter shows them all.
REPORT_ROWS = 100


class ProjectAdminForm(forms.ModelForm):
    """The project form: publishing without a language's title or summary asks first."""

    publish_anyway = forms.BooleanField(
        label=_("Publish anyway"),
        required=False,
        help_text=_("Publish even though a language lacks its title or summary."),
    )

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("is_published") or cleaned_data.get("publish_anyway"):
            return cleaned_data
        lacking = []
        for code in language_codes():
            names = [
                field_label(Project, name)
                for name in Project.publication_required_fields
                if not is_filled(cleaned_data.get(f"{name}_{code}"))
            ]
            if names:
                lacking.append(
                    ValidationError(
                        gettext("%(language)s: %(fields)s missing"),
                        params={"language": language_name(code), "fields": ", ".join(names)},
                        code="translation_missing",
                    )
                )
        if lacking:
            # An error, so that the form comes back (with its uploads kept) for the editor
            # to complete the texts or confirm.
            raise ValidationError(
                [
                    ValidationError(
                        gettext(
                            "This project is published but some of its texts are missing. "
                            "Fill them in, or tick “Publish anyway” to save it as it is."
                        ),
                        code="translation_missing",
                    ),
                    *lacking,
                ]
            )
        return cleaned_data


def report_sections(user) -> list[dict]:
    """Return, for each kind of page the user may change, its rows missing some text."""
    sections = []
    for model in (Project, ProjectUpdate, Partner, Region, Sector):
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
            continue
        condition = missing_condition(model, language_codes()[0])
        for code in language_codes()[1:]:
            condition |= missing_condition(model, code)
        incomplete = model.objects.filter(condition).order_by("pk")
        rows = []
        for obj in incomplete[:REPORT_ROWS]:
            missing = missing_by_language(obj)
            rows.append(
                {
                    "object": obj,
                    "url": reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]
                    ),
                    "languages": [
                        (
                            language_name(code),
                            ", ".join(field_label(model, name) for name in missing.get(code, [])),
                        )
                        for code in language_codes()
                    ],
                }
            )
        sections.append(
            {
                "name": opts.verbose_name_plural,
                "rows": rows,
                "total": incomplete.count() if len(rows) == REPORT_ROWS else len(rows),
                "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            }
        )
    return sections


def translation_report(model_admin, request):
    """List, across the site, the texts missing in each language, with links to fix them."""
    sections = report_sections(request.user)
    if not sections:
        raise PermissionDenied
    return TemplateResponse(
        request,
        "portfolio/admin/translation_report.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": _("Missing translations"),
            "opts": model_admin.model._meta,
            "sections": sections,
            "languages": [language_name(code) for code in language_codes()],
        },
    )
