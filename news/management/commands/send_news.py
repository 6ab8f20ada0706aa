from django.core.management.base import BaseCommand

from news.sending import send_news


class Command(BaseCommand):
    help = (
        "Email each recent published field update to the supporters of its project who asked "
        "for news, each at most once. Run it from cron, e.g. every 15 minutes."
    )

    def handle(self, *args, **options):
        counts = send_news()
        self.stdout.write(f"News emails sent: {counts['sent']}, failed: {counts['failed']}.")
        if counts["failed"]:
            self.stderr.write("Failed emails are tried again by the next run.")
