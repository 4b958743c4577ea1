"""The case workflow's pages, mounted under /cases/ (namespace "cases")."""

from django.urls import path

from concilium.cases.views import case_templates, cases, queue

urlpatterns = [
    path("", cases.case_list, name="list"),
    path("new/", cases.case_new, name="new"),
    path("new/guidance/", cases.case_new_guidance, name="new_guidance"),
    path("queue/", queue.queue, name="queue"),
    path("templates/", case_templates.template_list, name="templates"),
    path("templates/<int:group_pk>/", case_templates.template_edit, name="template_edit"),
    path("<int:pk>/", cases.case_detail, name="detail"),
    path("<int:pk>/edit/", cases.case_edit, name="edit"),
    path("<int:pk>/submit/", cases.case_submit_view, name="submit"),
    path("<int:pk>/accept/", cases.case_accept_view, name="accept"),
    path("<int:pk>/decline/", cases.case_decline_view, name="decline"),
    path("<int:pk>/schedule/", cases.case_schedule_view, name="schedule"),
    path("<int:pk>/discussed/", cases.case_discussed_view, name="discussed"),
    path("<int:pk>/close/", cases.case_close_view, name="close"),
    path("<int:pk>/messages/", cases.case_message_view, name="message"),
    path("<int:pk>/checklist/", cases.case_checklist_view, name="checklist_confirm"),
    path("<int:pk>/attachments/", cases.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", cases.attachment_download, name="attachment_download"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/remove/", cases.attachment_delete, name="attachment_remove"
    ),
]
