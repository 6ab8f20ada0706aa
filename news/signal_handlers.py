from django.dispatch import receiver

from donations.donor_rights import donor_data_requested, donor_erased

from .sending import forget, held_about


@receiver(donor_data_requested, dispatch_uid="news-donor-data")
def news_held(sender, email, **kwargs):
    return "news_emails", held_about(email)


@receiver(donor_erased, dispatch_uid="news-donor-erased")
def news_forgotten(sender, email, **kwargs):
    forget(email)
