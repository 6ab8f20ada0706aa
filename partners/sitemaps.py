from core.sitemaps import TranslatedSitemap

from .models import Partner


class PartnerSitemap(TranslatedSitemap):
    priority = 0.6
    changefreq = "monthly"

    def items(self):
        return Partner.objects.public().order_by("pk")

    def lastmod(self, partner):
        return partner.updated_at
