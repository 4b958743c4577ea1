"""What the codes of accounts mean to a person: its audit actions and notification kinds."""

from django.utils.translation import gettext_lazy as _

from concilium.core.labels import AUDIT_ACTION, AUDIT_FAMILY, NOTIFICATION_KIND, register_labels

register_labels(
    AUDIT_FAMILY,
    {"auth": _("Sign-in and security"), "account": _("Accounts"), "api_token": _("API tokens")},
)
register_labels(
    AUDIT_ACTION,
    {
        "auth.login": _("Signed in"),
        "auth.login_failed": _("Sign-in refused"),
        "auth.logout": _("Signed out"),
        "auth.2fa_verified": _("Second factor given"),
        "auth.2fa_failed": _("Wrong second-factor code"),
        "auth.2fa_enrolled": _("Authenticator app set up"),
        "auth.2fa_disabled": _("Two-factor authentication turned off"),
        "auth.2fa_disable_failed": _("Turning two-factor authentication off refused"),
        "auth.2fa_backup_codes_renewed": _("New backup codes"),
        "auth.password_changed": _("Password changed"),
        "auth.password_reset_requested": _("Password reset requested"),
        "auth.logout_everywhere": _("Signed out everywhere"),
        "account.create": _("Account created"),
        "account.2fa_enrol": _("Authenticator set up for an account"),
        "account.role_changed": _("Role changed"),
        "account.suspended": _("Account suspended"),
        "account.reactivated": _("Account reactivated"),
        "account.second_factor_reset": _("Second factor reset for an account"),
        "account.sessions_ended": _("Sessions of an account ended"),
        "account.language_changed": _("Preferred language changed"),
        "api_token.create": _("API token created"),
        "api_token.revoke": _("API token revoked"),
        "api_token.refused": _("API token refused"),
    },
)
register_labels(
    NOTIFICATION_KIND,
    {
        "password_changed": _("Password changed"),
        "password_reset": _("Password reset link"),
    },
)
