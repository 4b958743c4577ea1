"""Case URLs, mounted at /cases/: the case workflow (urls_case), the panel's work (urls_panel) and
the coordinator figures (urls_figures)."""

from concilium.cases import urls_case, urls_figures, urls_panel

app_name = "cases"

urlpatterns = [*urls_figures.urlpatterns, *urls_case.urlpatterns, *urls_panel.urlpatterns]
