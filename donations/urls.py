from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import donor_page, views

app_name = "donations"

urlpatterns = [
    path(_("projects/<slug:slug>/pledge/"), views.pledge, name="pledge"),
    path(_("pledges/thank-you/"), views.thanks, name="thanks"),
    path(_("pledges/thank-you/resend/"), views.resend_confirmation, name="resend"),
    path(_("pledges/confirm/<str:token>/"), views.confirm, name="confirm"),
    path(_("my-donations/"), donor_page.request_link, name="donor_request"),
    path(_("my-donations/sign-in/<str:token>/"), donor_page.sign_in, name="donor_sign_in"),
    path(_("my-donations/sign-out/"), donor_page.sign_out, name="donor_sign_out"),
    path(_("my-donations/page/"), donor_page.home, name="donor_home"),
    path(_("my-donations/details/"), donor_page.update_details, name="donor_details"),
    path(_("my-donations/news/"), donor_page.update_consent, name="donor_consent"),
    path(
        _("my-donations/pledges/<int:pk>/<slug:action>/"),
        donor_page.pledge_action,
        name="donor_pledge",
    ),
    path(_("my-donations/receipts/<int:pk>/"), donor_page.receipt_pdf, name="donor_receipt"),
    path(_("my-donations/my-data/"), donor_page.my_data, name="donor_data"),
    path(_("my-donations/my-data.json"), donor_page.my_data_json, name="donor_data_json"),
    path(_("my-donations/erase/"), donor_page.erase, name="donor_erase"),
]
