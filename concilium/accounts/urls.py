from django.urls import path

from concilium.accounts.views import login as login_views
from concilium.accounts.views import preferences as preference_views
from concilium.accounts.views import roles as role_views
from concilium.accounts.views import tokens as token_views

app_name = "accounts"

urlpatterns: list = [
    # sign-in, second factor, sessions, password (views/login.py)
    path("login/", login_views.login_view, name="login"),
    path("logout/", login_views.logout_view, name="logout"),
    path("logged-out/", login_views.logged_out, name="logged_out"),
    path("2fa/", login_views.two_factor, name="two_factor"),
    path("2fa/setup/", login_views.two_factor_setup, name="two_factor_setup"),
    path("2fa/disable/", login_views.two_factor_disable, name="two_factor_disable"),
    path("2fa/backup-codes/", login_views.backup_codes, name="backup_codes"),
    path("security/", login_views.security, name="security"),
    path("security/password/", login_views.password_change_view, name="password_change"),
    path("security/logout-everywhere/", login_views.logout_everywhere, name="logout_everywhere"),
    # preferences (views/preferences.py)
    path("security/language/", preference_views.language, name="language"),
    path("password-reset/", login_views.password_reset, name="password_reset"),
    path("password-reset/sent/", login_views.password_reset_done, name="password_reset_done"),
    path("password-reset/done/", login_views.password_reset_complete, name="password_reset_complete"),
    path(
        "password-reset/<uidb64>/<token>/", login_views.password_reset_confirm, name="password_reset_confirm"
    ),
    # personal API tokens (views/tokens.py)
    path("tokens/", token_views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
    # roles and suspension, for network admins (views/roles.py)
    path("users/<int:pk>/role/", role_views.user_role, name="user_role"),
]
