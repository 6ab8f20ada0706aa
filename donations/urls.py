from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "donations"

urlpatterns = [
    path(_("projects/<slug:slug>/pledge/"), views.pledge, name="pledge"),
    path(_("pledges/thank-you/"), views.thanks, name="thanks"),
    path(_("pledges/thank-you/resend/"), views.resend_confirmation, name="resend"),
    path(_("pledges/confirm/<str:token>/"), views.confirm, name="confirm"),
]
