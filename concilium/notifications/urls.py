from django.urls import path

from concilium.notifications import views

app_name = "notifications"

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/test/", views.outbox_send_test, name="outbox_send_test"),
    path("outbox/<int:notification_id>/retry/", views.outbox_retry, name="outbox_retry"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbox_mark_all_read, name="inbox_mark_all_read"),
    path("inbox/<int:notification_id>/read/", views.inbox_mark_read, name="inbox_mark_read"),
]
