from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "concilium.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from concilium.cases import receivers

        receivers.connect()
