from core.sitemaps import TranslatedSitemap, slug_columns

from .models import Partner
from .views import public_partner_count


class PartnerSitemap(TranslatedSitemap):
    priority = 0.6
    changefreq = "monthly"
    lastmod_field = "updated_at"
    url_name = "partners:partner_detail"
    outside_catalogue = True

    def items(self):
        return (
            Partner.objects.public()
            .order_by("pk")
            .values_list("pk", "updated_at", *slug_columns(), named=True)
        )

    def kept_count(self) -> int | None:
        return public_partner_count()

    def lastmod(self, partner):
        return partner.updated_at
