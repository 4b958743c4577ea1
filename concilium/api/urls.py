from django.urls import path

from concilium.api.main import api

urlpatterns = [path("", api.urls)]
