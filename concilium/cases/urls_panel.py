"""The panel's pages under /cases/: my panels, a case's panel, its discussion and its recommendation."""

from django.urls import URLPattern, path

from concilium.cases.views import panel as views

urlpatterns: list[URLPattern] = [
    path("panels/", views.my_panels, name="my_panels"),
    path("<int:pk>/panel/", views.panel, name="panel"),
    path("<int:pk>/panel/form/", views.panel_form, name="panel_form"),
    path("<int:pk>/panel/invite/", views.panel_invite_view, name="panel_invite"),
    path("<int:pk>/panel/candidates/", views.panel_candidates, name="panel_candidates"),
    path("<int:pk>/panel/<int:member_id>/remove/", views.panel_remove_view, name="panel_remove"),
    path("<int:pk>/panel/<int:member_id>/lead/", views.panel_lead_view, name="panel_lead"),
    path("<int:pk>/discussion/", views.discussion, name="discussion"),
    path("<int:pk>/discussion/mentions/", views.discussion_mentions, name="discussion_mentions"),
    path("<int:pk>/recommendation/", views.recommendation, name="recommendation"),
    path("<int:pk>/recommendation/sign/", views.recommendation_sign_view, name="recommendation_sign"),
    path("<int:pk>/recommendation/report/", views.recommendation_report, name="recommendation_report"),
    path(
        "<int:pk>/recommendation/report/generate/",
        views.recommendation_report_render,
        name="recommendation_report_render",
    ),
]
