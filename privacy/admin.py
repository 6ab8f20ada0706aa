"""The confidentiality incident register: Finance and superusers only (the permissions
are granted to Finance by this app's migration; Editors have none)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ConfidentialityIncident


@admin.register(ConfidentialityIncident)
class ConfidentialityIncidentAdmin(admin.ModelAdmin):
    list_display = (
        "learned_on",
        "occurred_from",
        "people_affected",
        "risk",
        "commission_notified_on",
        "people_notified_on",
        "recorded_by",
    )
    list_filter = ("risk",)
    search_fields = ("description", "information_concerned")
    date_hierarchy = "learned_on"
    list_select_related = ("recorded_by",)
    readonly_fields = ("recorded_by", "recorded_at", "updated_at")
    fieldsets = (
        (
            _("The incident"),
            {
                "fields": (
                    ("occurred_from", "occurred_until"),
                    "learned_on",
                    "description",
                    "information_concerned",
                    ("people_affected", "people_affected_is_estimate"),
                )
            },
        ),
        (
            _("Risk of serious injury"),
            {"fields": ("sensitivity", "anticipated_consequences", "likelihood_of_misuse", "risk")},
        ),
        (
            _("Measures and notices"),
            {
                "fields": (
                    "measures_taken",
                    "commission_notified_on",
                    "people_notified_on",
                    "people_notified_how",
                )
            },
        ),
        (_("Record"), {"fields": ("recorded_by", "recorded_at", "updated_at")}),
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
