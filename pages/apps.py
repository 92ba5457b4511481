from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "The site's pages: the landing page, the race, the browsable API's template"
