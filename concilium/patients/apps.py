from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "concilium.patients"
    label = "patients"
    verbose_name = _("Patients")

    def ready(self) -> None:
        from concilium.patients import checks  # noqa: F401  (registers the deploy check)
