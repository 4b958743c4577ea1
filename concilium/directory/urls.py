from django.urls import path

from concilium.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
]
