from django.urls import include, path

from concilium.accounts.views.preferences import language_switch

urlpatterns = [
    path("", include("concilium.core.urls")),
    path("", include("concilium.home.urls")),
    path("accounts/", include("concilium.accounts.urls")),
    path("accounts/", include("concilium.helpdesk.urls")),
    path("directory/", include("concilium.directory.urls")),
    path("patients/", include("concilium.patients.urls")),
    path("cases/", include("concilium.cases.urls")),
    path("helpdesk/", include("concilium.notifications.urls")),
    path("audit/", include("concilium.audit.urls")),
    path("administration/", include("concilium.administration.urls")),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("i18n/setlang/", language_switch, name="set_language"),  # also saves a signed-in user's choice
    path("api/", include("concilium.api.urls")),
]

handler400 = "concilium.core.views.bad_request"
handler403 = "concilium.core.views.permission_denied"
handler404 = "concilium.core.views.page_not_found"
handler500 = "concilium.core.views.server_error"
