"""The finance team's workplace: pledges, gifts, totals, exports and donors' data requests.

Everything here needs a donations permission, which only the Finance group (and
superusers) hold; editors get 403. The one exception is the suggested amounts, which
editors write as an inline of the project form.
"""

import csv
import json
import logging
from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from core.spreadsheets import spreadsheet_safe
from portfolio.models import Project

from .donor_rights import erase_donor_data, export_donor_data, given_under
from .emails import send_confirmation_request
from .forms import GiftForm
from .funding import format_money, funding_by_project
from .models import DataRequest, Gift, Sponsorship

logger = logging.getLogger(__name__)

# Sponsorships and gifts: the Finance group only ------------------------------------------


class GiftInline(admin.TabularInline):
    model = Gift
    extra = 0
    fields = (
        "amount",
        "received_on",
        "method",
        "reference",
        "provider",
        "transaction_id",
        "note",
        "recorded_by",
    )
    readonly_fields = ("recorded_by",)


@admin.register(Sponsorship)
class SponsorshipAdmin(SimpleHistoryAdmin):
    change_list_template = "donations/admin/sponsorship_change_list.html"
    list_display = (
        "reference",
        "donor_name",
        "project",
        "amount_display",
        "frequency",
        "status",
        "received_display",
        "created_at",
    )
    list_filter = (
        "status",
        ("project", admin.RelatedOnlyFieldListFilter),
        "frequency",
        "created_at",
        "news_opt_in",
    )
    list_select_related = ("project",)
    search_fields = ("reference", "donor_name", "donor_email")
    date_hierarchy = "created_at"
    autocomplete_fields = ("project",)
    inlines = (GiftInline,)
    readonly_fields = (
        "reference",
        "status",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "erased_at",
        "idempotency_key",
        # When the donor accepted the privacy notice: theirs, never an editor's to change.
        "privacy_consent_at",
    )
    fieldsets = (
        (None, {"fields": ("reference", "project", "status", ("amount", "currency"), "frequency")}),
        (_("Donor"), {"fields": ("donor_name", "donor_email", "language")}),
        (
            _("Dedication and public message"),
            {
                "fields": (
                    ("dedication_kind", "dedication_name"),
                    "show_name_publicly",
                    "public_message",
                    "message_hidden",
                )
            },
        ),
        (_("Consent"), {"fields": ("privacy_consent_at", "news_opt_in")}),
        (
            _("Dates"),
            {
                "fields": (
                    "created_at",
                    "confirmed_at",
                    "cancelled_at",
                    "erased_at",
                    "idempotency_key",
                )
            },
        ),
    )
    actions = (
        "record_gift",
        "mark_confirmed",
        "cancel",
        "export_csv",
        "resend_confirmation",
        "hide_messages",
        "export_donor_data",
        "erase_donor_data",
    )

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.confirmed_at is not None:
            # What the donor confirmed (see Sponsorship.FROZEN_ONCE_CONFIRMED).
            fields = (*fields, *(f for f in ("amount", "currency") if f not in fields))
        return fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                received_total=Coalesce(
                    Sum("gifts__amount"),
                    Value(Decimal("0")),
                    output_field=DecimalField(max_digits=14, decimal_places=2),
                )
            )
        )

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_money(obj.amount)

    @admin.display(description=_("received"), ordering="received_total")
    def received_display(self, obj):
        # A zero total is falsy: test for the annotation, or every unpaid row costs a query.
        total = getattr(obj, "received_total", None)
        return format_money(obj.received() if total is None else total)

    def save_formset(self, request, form, formset, change):
        gifts = formset.save(commit=False)
        for gift in gifts:
            if gift.pk is None:
                gift.recorded_by = request.user
            gift.save()
        for gift in formset.deleted_objects:
            gift.delete()
        formset.save_m2m()

    # Actions ------------------------------------------------------------------------

    @admin.action(
        description=_("Record a gift for the selected sponsorships"), permissions=["change"]
    )
    def record_gift(self, request, queryset):
        queryset = queryset.exclude(status=Sponsorship.Status.CANCELLED)
        if "apply" in request.POST:
            form = GiftForm(request.POST)
            if form.is_valid():
                count = 0
                for sponsorship in queryset:
                    due = sponsorship.amount
                    if sponsorship.frequency == Sponsorship.Frequency.ONCE:
                        due -= sponsorship.received()
                    if due <= 0:
                        continue
                    sponsorship.record_gift(
                        recorded_by=request.user, amount=due, **form.cleaned_data
                    )
                    count += 1
                self.message_user(
                    request,
                    ngettext("%d gift recorded.", "%d gifts recorded.", count) % count,
                    messages.SUCCESS,
                )
                return None
        else:
            form = GiftForm()
        return TemplateResponse(
            request,
            "donations/admin/record_gift.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Record a gift"),
                "opts": self.model._meta,
                "form": form,
                "sponsorships": queryset,
                "action": "record_gift",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(
        description=_("Mark the selected sponsorships as confirmed"), permissions=["change"]
    )
    def mark_confirmed(self, request, queryset):
        count = 0
        for sponsorship in queryset.filter(status=Sponsorship.Status.PENDING):
            sponsorship.confirm()
            self.log_change(request, sponsorship, _("Confirmed by the finance team."))
            count += 1
        self.message_user(
            request,
            ngettext("%d sponsorship confirmed.", "%d sponsorships confirmed.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Cancel the selected sponsorships"), permissions=["change"])
    def cancel(self, request, queryset):
        count = 0
        for sponsorship in queryset.exclude(status=Sponsorship.Status.CANCELLED):
            sponsorship.cancel()
            self.log_change(request, sponsorship, _("Cancelled."))
            count += 1
        self.message_user(
            request,
            ngettext("%d sponsorship cancelled.", "%d sponsorships cancelled.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Export the selected sponsorships (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="sponsorships-{stamp}.csv"'
        response.write("\ufeff")  # lets spreadsheets read the file as UTF-8
        writer = csv.writer(response)
        writer.writerow(
            [
                "reference",
                "created_at",
                "project",
                "donor_name",
                "donor_email",
                "language",
                "amount",
                "currency",
                "frequency",
                "status",
                "confirmed_at",
                "received",
                "dedication",
                "dedicated_to",
                "name_shown_publicly",
                "news_by_email",
                "public_message",
            ]
        )
        for s in queryset.select_related("project").order_by("created_at", "pk"):
            row = [
                s.reference,
                timezone.localtime(s.created_at).isoformat(),
                s.project.title_fr,
                s.donor_name,
                s.donor_email,
                s.language,
                s.amount,
                s.currency,
                s.frequency,
                s.status,
                timezone.localtime(s.confirmed_at).isoformat() if s.confirmed_at else "",
                s.received_total,
                s.dedication_kind,
                s.dedication_name,
                s.show_name_publicly,
                s.news_opt_in,
                s.public_message,
            ]
            writer.writerow([spreadsheet_safe(cell) for cell in row])
        return response

    @admin.action(description=_("Send the confirmation email again"), permissions=["change"])
    def resend_confirmation(self, request, queryset):
        pending = queryset.filter(status=Sponsorship.Status.PENDING, erased_at__isnull=True)
        count = 0
        failed = []
        for sponsorship in pending.select_related("project"):
            try:
                send_confirmation_request(sponsorship)
            except Exception:  # report every failure, send the rest
                logger.exception("Confirmation email for %s not sent", sponsorship.reference)
                failed.append(sponsorship.reference)
            else:
                count += 1
        self.message_user(
            request,
            ngettext("%d email sent.", "%d emails sent.", count) % count,
            messages.SUCCESS,
        )
        if failed:
            self.message_user(
                request,
                _("The email server refused: %(references)s. Try again later.")
                % {"references": ", ".join(failed)},
                messages.ERROR,
            )

    @admin.action(
        description=_("Hide the public messages of the selected sponsorships"),
        permissions=["change"],
    )
    def hide_messages(self, request, queryset):
        count = 0
        for sponsorship in queryset.filter(message_hidden=False).exclude(public_message=""):
            sponsorship.message_hidden = True
            sponsorship.save(update_fields=["message_hidden", "updated_at"])
            count += 1
        self.message_user(
            request,
            ngettext("%d message hidden.", "%d messages hidden.", count) % count,
            messages.SUCCESS,
        )

    def _emails(self, queryset) -> list[str]:
        emails = {s.donor_email.strip().lower() for s in queryset if s.donor_email.strip()}
        return sorted(emails)

    @admin.action(
        description=_("Export everything held about these donors (JSON)"), permissions=["view"]
    )
    def export_donor_data(self, request, queryset):
        donors = [
            export_donor_data(email, performed_by=request.user, via="admin")
            for email in self._emails(queryset)
        ]
        response = HttpResponse(
            json.dumps({"donors": donors}, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="donor-data-{stamp}.json"'
        return response

    @admin.action(
        description=_("Erase these donors' identity (amounts are kept)"), permissions=["delete"]
    )
    def erase_donor_data(self, request, queryset):
        emails = self._emails(queryset)
        affected = Sponsorship.objects.filter(reference__in=set().union(*map(given_under, emails)))
        if "apply" in request.POST:
            references = []
            for email in emails:
                data_request = erase_donor_data(email, performed_by=request.user, via="admin")
                references += data_request.references.split()
            for sponsorship in Sponsorship.objects.filter(reference__in=references):
                self.log_change(request, sponsorship, _("Donor's identity erased."))
            count = len(references)
            self.message_user(
                request,
                ngettext(
                    "The donor's identity was erased from %d sponsorship.",
                    "The donors' identity was erased from %d sponsorships.",
                    count,
                )
                % count,
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "donations/admin/erase_donor_data.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Erase donors' identity"),
                "opts": self.model._meta,
                "sponsorships": queryset,
                "affected": affected.select_related("project"),
                "action": "erase_donor_data",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    # Totals per project -------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "totals/",
                self.admin_site.admin_view(self.totals_view),
                name="donations_sponsorship_totals",
            ),
            *super().get_urls(),
        ]

    def totals_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        projects = list(
            Project.objects.filter(Q(sponsorships__isnull=False) | Q(funding_goal__isnull=False))
            .distinct()
            .annotate(
                pending=Count(
                    "sponsorships", filter=Q(sponsorships__status=Sponsorship.Status.PENDING)
                )
            )
            .order_by("title_fr")
        )
        figures = funding_by_project(projects)
        rows = [(project, figures[project.pk]) for project in projects]
        totals = {
            "raised": sum((f.raised for _p, f in rows), Decimal("0")),
            "pledged": sum((f.pledged for _p, f in rows), Decimal("0")),
            "supporters": sum(f.supporters for _p, f in rows),
            "pending": sum(p.pending for p, _f in rows),
        }
        return TemplateResponse(
            request,
            "donations/admin/totals.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Totals per project"),
                "opts": self.model._meta,
                "rows": rows,
                "totals": totals,
                "changelist_url": reverse("admin:donations_sponsorship_changelist"),
            },
        )


@admin.register(Gift)
class GiftAdmin(SimpleHistoryAdmin):
    list_display = ("sponsorship", "amount", "received_on", "method", "reference", "recorded_by")
    list_filter = ("method", "received_on")
    list_select_related = ("sponsorship", "recorded_by")
    search_fields = ("sponsorship__reference", "reference", "transaction_id")
    date_hierarchy = "received_on"
    autocomplete_fields = ("sponsorship",)
    readonly_fields = ("recorded_by", "recorded_at")
    fields = (
        "sponsorship",
        ("amount", "received_on"),
        "method",
        "reference",
        ("provider", "transaction_id"),
        "note",
        "recorded_by",
        "recorded_at",
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    list_display = ("kind", "references", "performed_by", "via", "performed_at")
    list_filter = ("kind", "via")
    search_fields = ("references",)
    date_hierarchy = "performed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
