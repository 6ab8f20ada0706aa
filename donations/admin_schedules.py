"""Monthly pledges as schedules in the finance admin.

- on a monthly pledge's change page, a read-only "Schedule" panel: each month from the
  first, what was expected, what was received and whether it is late;
- the "Lapsed monthly donors" page: the active monthly pledges with late months, with what
  they owe and their last gift, linked from the sponsorships list and the totals page.

Both need the sponsorships' view permission (the Finance group); editors get 403.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .schedule import GRACE_DAYS, lapsed_pledges, schedule


class ScheduleAdminMixin:
    """Adds the schedule panel and the lapsed donors page to the sponsorships' admin."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.frequency != obj.Frequency.MONTHLY:
            return fieldsets
        return (*fieldsets, (_("Schedule"), {"fields": ("schedule_panel",)}))

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "schedule_panel") if obj is not None else fields

    @admin.display(description=_("Schedule"))
    def schedule_panel(self, obj):
        return render_to_string(
            "donations/admin/schedule_panel.html",
            {"months": list(reversed(schedule(obj))), "grace_days": GRACE_DAYS},
        )

    def get_urls(self):
        return [
            path(
                "lapsed/",
                self.admin_site.admin_view(self.lapsed_view),
                name="donations_sponsorship_lapsed",
            ),
            *super().get_urls(),
        ]

    def lapsed_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return TemplateResponse(
            request,
            "donations/admin/lapsed.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Lapsed monthly donors"),
                "opts": self.model._meta,
                "lapses": lapsed_pledges(),
                "grace_days": GRACE_DAYS,
            },
        )
