from django.urls import path

from concilium.home import views

app_name = "home"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("about/", views.about, name="about"),
    path("privacy/", views.privacy, name="privacy"),
]
