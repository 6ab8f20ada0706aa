"""A sitemap base for pages that exist in every language of the site."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap


class TranslatedSitemap(Sitemap):
    """Every page once per language, each listing all its languages and an x-default.

    Django's own x-default strips the language prefix, which leads nowhere here since
    every address carries one; the default language's page stands for it instead.
    """

    i18n = True
    alternates = True

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            default = next(
                (a for a in url["alternates"] if a["lang_code"] == settings.LANGUAGE_CODE), None
            )
            if default:
                url["alternates"].append(
                    {"location": default["location"], "lang_code": "x-default"}
                )
        return urls
