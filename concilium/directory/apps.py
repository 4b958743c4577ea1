from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "concilium.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from concilium.directory import receivers  # noqa: F401  (connects the receivers)
