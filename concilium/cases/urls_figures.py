"""Coordinator figures, mounted at /cases/figures/."""

from django.urls import path

from concilium.cases.views import figures

urlpatterns = [path("figures/", figures.figures, name="figures")]
