"""The finance team's workplace: pledges, gifts, totals, exports and donors' data requests.

Everything here needs a donations permission, which only the Finance group (and
superusers) hold; editors get 403. The one exception is the suggested amounts, which
editors write as an inline of the project form.
"""

import json
import logging
from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, Min, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from portfolio.models import Project

from . import exports
from .admin_schedules import ScheduleAdminMixin
from .donor_rights import erase_donor_data, export_donor_data, given_under
from .emails import send_confirmation_request
from .forms import GiftForm
from .funding import format_money, funding_by_project
from .models import ConsentChange, DataRequest, Donor, Gift, Receipt, Sponsorship
from .receipt_pdf import render_receipt
from .receipts import ReceiptError, cancel_and_replace, issue_annual, issue_for_gift, mark_spoiled
from .receipts import send_receipt as email_receipt
from .schedule import next_expected_on

logger = logging.getLogger(__name__)

# Sponsorships and gifts: the Finance group only ------------------------------------------


class GiftInline(admin.TabularInline):
    model = Gift
    extra = 0
    fields = (
        "amount",
        "advantage",
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
class SponsorshipAdmin(ScheduleAdminMixin, SimpleHistoryAdmin):
    change_list_template = "donations/admin/sponsorship_change_list.html"
    list_display = (
        "reference",
        "donor_name",
        "project",
        "amount_display",
        "frequency",
        "status",
        "received_display",
        "next_expected_display",
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
    autocomplete_fields = ("project", "donor")
    inlines = (GiftInline,)
    readonly_fields = (
        "reference",
        "status",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "paused_at",
        "erased_at",
        "idempotency_key",
        # When the donor accepted the privacy notice: theirs, never an editor's to change.
        "privacy_consent_at",
    )
    fieldsets = (
        (None, {"fields": ("reference", "project", "status", ("amount", "currency"), "frequency")}),
        (_("Donor"), {"fields": ("donor", "donor_name", "donor_email", "language")}),
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
                    "paused_at",
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
                ),
                gift_count=Count("gifts"),
                first_gift_on=Min("gifts__received_on"),
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

    @admin.display(description=_("next gift expected"))
    def next_expected_display(self, obj):
        """A monthly pledge's next expected gift, after the first; a dash for the others."""
        expected = next_expected_on(
            obj,
            gift_count=getattr(obj, "gift_count", None),
            first_gift_on=getattr(obj, "first_gift_on", None),
        )
        return date_format(expected, "SHORT_DATE_FORMAT") if expected else "—"

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
        return exports.sponsorships_csv(queryset)

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
            path(
                "totals/gifts.csv",
                self.admin_site.admin_view(self.gift_totals_export),
                name="donations_sponsorship_gift_totals",
            ),
            *super().get_urls(),
        ]

    def gift_totals_export(self, request):
        """Money received by month, method and project, as a CSV file (see ``exports``)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return exports.gift_totals_csv()

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
                "gift_totals": exports.gift_totals(),
                "gift_totals_url": reverse("admin:donations_sponsorship_gift_totals"),
            },
        )


@admin.register(Gift)
class GiftAdmin(SimpleHistoryAdmin):
    list_display = (
        "sponsorship",
        "donor",
        "amount",
        "received_on",
        "method",
        "reference",
        "recorded_by",
    )
    list_filter = ("method", "received_on")
    list_select_related = ("sponsorship", "recorded_by", "donor")
    search_fields = ("sponsorship__reference", "reference", "transaction_id")
    date_hierarchy = "received_on"
    autocomplete_fields = ("sponsorship",)
    readonly_fields = ("donor", "recorded_by", "recorded_at")
    actions = ("issue_receipt",)
    fields = (
        "sponsorship",
        "donor",
        ("amount", "advantage", "received_on"),
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

    def has_issue_receipt_permission(self, request):
        return request.user.has_perm("donations.add_receipt")

    @admin.action(
        description=_("Issue a receipt for the selected gifts"), permissions=["issue_receipt"]
    )
    def issue_receipt(self, request, queryset):
        gifts = queryset.select_related("sponsorship").order_by("received_on", "pk")
        issue_receipts(
            self,
            request,
            gifts,
            lambda gift: issue_for_gift(gift, issued_by=request.user),
            lambda gift, reason: (
                _("No receipt for %(gift)s: %(reason)s") % {"gift": gift, "reason": reason}
            ),
        )


def issue_receipts(model_admin, request, objects, issue, refusal) -> None:
    """Issue a receipt for each object (a gift, a donor's year), logging each one issued
    and saying why any was refused, then how many were issued."""
    issued = 0
    for obj in objects:
        try:
            receipt = issue(obj)
        except ReceiptError as error:
            model_admin.message_user(
                request, refusal(obj, " ".join(error.messages)), messages.ERROR
            )
        else:
            model_admin.log_change(request, obj, _("Receipt %s issued.") % receipt.serial)
            issued += 1
    if issued:
        model_admin.message_user(
            request,
            ngettext("%d receipt issued.", "%d receipts issued.", issued) % issued,
            messages.SUCCESS,
        )


# Donors and their receipts: the Finance group only -----------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DonorSponsorshipInline(ReadOnlyInline):
    model = Sponsorship
    fields = ("reference", "project", "amount", "frequency", "status", "created_at")
    readonly_fields = fields
    verbose_name_plural = _("pledges")


class DonorGiftInline(ReadOnlyInline):
    model = Gift
    fk_name = "donor"
    fields = ("sponsorship", "amount", "advantage", "received_on", "method")
    readonly_fields = fields


class DonorReceiptInline(ReadOnlyInline):
    model = Receipt
    fk_name = "donor"
    fields = ("serial", "kind", "status", "eligible_amount", "issued_on", "pdf_link")
    readonly_fields = fields

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.pdf_url(), _("Download"))


class ConsentChangeInline(ReadOnlyInline):
    model = ConsentChange
    show_change_link = False
    fields = ("consent", "given", "source", "changed_at", "changed_by")
    readonly_fields = fields


@admin.register(Donor)
class DonorAdmin(admin.ModelAdmin):
    list_display = ("__str__", "email", "city", "receipt_preference", "language", "news_opt_in")
    list_filter = ("receipt_preference", "language", "news_opt_in")
    search_fields = ("name", "email", "postal_code")
    readonly_fields = ("created_at", "erased_at")
    fieldsets = (
        (None, {"fields": ("name", "email", "language")}),
        (
            _("Postal address (needed on receipts)"),
            {"fields": ("street", ("city", "province"), ("postal_code", "country"))},
        ),
        (_("Receipts and consent"), {"fields": ("receipt_preference", "news_opt_in")}),
        (_("Dates"), {"fields": ("created_at", "erased_at")}),
    )
    inlines = (DonorSponsorshipInline, DonorGiftInline, DonorReceiptInline, ConsentChangeInline)
    actions = ("issue_last_years_receipt", "export_donor_data", "erase_donor_data")

    def has_delete_permission(self, request, obj=None):
        # A donor goes by erasure: the books keep their pledges, gifts and receipts.
        return False

    def save_model(self, request, obj, form, change):
        wanted = obj.news_opt_in
        if "news_opt_in" in form.changed_data:
            obj.news_opt_in = not wanted
        super().save_model(request, obj, form, change)
        if obj.news_opt_in != wanted:
            obj.set_news_consent(wanted, source=ConsentChange.Source.ADMIN, by=request.user)

    def has_issue_receipt_permission(self, request):
        return request.user.has_perm("donations.add_receipt")

    @admin.action(
        description=_("Issue last year's annual receipt for the selected donors"),
        permissions=["issue_receipt"],
    )
    def issue_last_years_receipt(self, request, queryset):
        year = timezone.localdate().year - 1
        issue_receipts(
            self,
            request,
            queryset.order_by("pk"),
            lambda donor: issue_annual(donor, year, issued_by=request.user),
            lambda donor, reason: (
                _("No receipt for %(donor)s: %(reason)s") % {"donor": donor, "reason": reason}
            ),
        )

    @admin.action(
        description=_("Export everything held about these donors (JSON)"), permissions=["view"]
    )
    def export_donor_data(self, request, queryset):
        donors = [
            export_donor_data(donor=donor, performed_by=request.user, via="admin")
            for donor in queryset.order_by("pk")
        ]
        response = HttpResponse(
            json.dumps({"donors": donors}, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="donor-data-{stamp}.json"'
        return response

    @admin.action(
        description=_("Erase these donors' identity (amounts are kept)"), permissions=["change"]
    )
    def erase_donor_data(self, request, queryset):
        donors = list(queryset.order_by("pk"))
        if "apply" in request.POST:
            for donor in donors:
                erase_donor_data(donor=donor, performed_by=request.user, via="admin")
                self.log_change(request, donor, _("Donor's identity erased."))
            self.message_user(
                request,
                ngettext(
                    "The identity of %d donor was erased.",
                    "The identity of %d donors was erased.",
                    len(donors),
                )
                % len(donors),
                messages.SUCCESS,
            )
            return None
        references = set()
        for donor in donors:
            references |= set(given_under(donor.email, [donor]))
        return TemplateResponse(
            request,
            "donations/admin/erase_donor_data.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Erase donors' identity"),
                "opts": self.model._meta,
                "sponsorships": donors,
                "affected": Sponsorship.objects.filter(reference__in=references).select_related(
                    "project"
                ),
                "action": "erase_donor_data",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


class ReceiptLineInline(ReadOnlyInline):
    model = Receipt.gifts.through
    show_change_link = False
    fields = ("gift", "received_on", "amount", "advantage", "in_force")
    readonly_fields = fields
    verbose_name_plural = _("gifts covered")


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    list_display = (
        "serial",
        "donor",
        "kind",
        "status",
        "eligible_amount",
        "issued_on",
        "emailed_at",
        "pdf_link",
    )
    list_filter = ("status", "kind", "year")
    list_select_related = ("donor",)
    search_fields = ("serial", "donor_name", "donor__email")
    date_hierarchy = "issued_on"
    fields = (
        ("serial", "status"),
        ("kind", "year"),
        "replaces",
        "replaced_by_link",
        "donor",
        "language",
        "donor_name",
        "donor_address",
        "received_on",
        ("amount", "advantage", "eligible_amount"),
        ("charity_name", "registration_number"),
        "charity_address",
        ("place_of_issue", "signatory"),
        ("issued_on", "issued_by"),
        ("emailed_at", "cancelled_on", "spoiled_on"),
        "pdf_link",
    )
    readonly_fields = tuple(
        name for group in fields for name in (group if isinstance(group, tuple) else (group,))
    )
    inlines = (ReceiptLineInline,)
    actions = ("cancel_and_replace", "mark_spoiled", "send_again")

    def has_add_permission(self, request):
        # Receipts are issued from gifts and donors, never typed in.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.pdf_url(), _("Download"))

    @admin.display(description=_("replaced by"))
    def replaced_by_link(self, obj):
        replacement = Receipt.objects.filter(replaces=obj).first()
        if replacement is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', replacement.get_absolute_url(), replacement.serial
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="donations_receipt_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        receipt = get_object_or_404(Receipt.objects.select_related("replaces"), pk=pk)
        response = HttpResponse(render_receipt(receipt), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{receipt.filename()}"'
        response["Cache-Control"] = "private, no-store"
        return response

    @admin.action(description=_("Cancel and replace the selected receipts"), permissions=["change"])
    def cancel_and_replace(self, request, queryset):
        for receipt in queryset.order_by("pk"):
            try:
                replacement = cancel_and_replace(receipt, issued_by=request.user)
            except ReceiptError as error:
                self.message_user(
                    request,
                    _("%(serial)s not replaced: %(reason)s")
                    % {"serial": receipt.serial, "reason": " ".join(error.messages)},
                    messages.ERROR,
                )
            else:
                self.log_change(
                    request, receipt, _("Cancelled and replaced by %s.") % replacement.serial
                )
                self.message_user(
                    request,
                    _("%(old)s cancelled and replaced by %(new)s.")
                    % {"old": receipt.serial, "new": replacement.serial},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Mark the selected receipts spoiled"), permissions=["change"])
    def mark_spoiled(self, request, queryset):
        count = 0
        for receipt in queryset.order_by("pk"):
            if mark_spoiled(receipt):
                self.log_change(request, receipt, _("Marked spoiled."))
                count += 1
        self.message_user(
            request,
            ngettext("%d receipt marked spoiled.", "%d receipts marked spoiled.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Email the selected receipts again"), permissions=["change"])
    def send_again(self, request, queryset):
        count = 0
        for receipt in queryset.filter(status=Receipt.Status.ISSUED).select_related("donor"):
            try:
                sent = email_receipt(receipt)
            except Exception:  # report every failure, send the rest
                logger.exception("Receipt %s not emailed", receipt.serial)
                self.message_user(
                    request,
                    _("The email server refused: %(references)s. Try again later.")
                    % {"references": receipt.serial},
                    messages.ERROR,
                )
            else:
                count += sent
        self.message_user(
            request,
            ngettext("%d email sent.", "%d emails sent.", count) % count,
            messages.SUCCESS,
        )


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
