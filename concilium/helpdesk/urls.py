from django.urls import path

from concilium.helpdesk import views

app_name = "helpdesk"

# Mounted under /accounts/ (the addresses clinicians and the helpdesk already know).
urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/done/", views.register_done, name="register_done"),
    path("activations/", views.activation_queue_view, name="activation_queue"),
    path("activations/<int:pk>/", views.activation_detail, name="activation_detail"),
    path("activations/<int:pk>/activate/", views.activation_activate, name="activation_activate"),
    path("activations/<int:pk>/reject/", views.activation_reject, name="activation_reject"),
]
