"""The permission matrix: every route of the project, for every role and account state, has a written outcome.

`MATRIX` below is the specification. Each row is a route, a method and the object it acts on; each column a
kind of visitor. Every cell is a test case (`helpdesk-helpdesk:activation_queue-GET-allowed`), and a route
without a row fails `test_every_route_of_the_project_has_a_row`: a new view cannot ship without its
permissions written down here. A refusal on another hospital's or person's object must read exactly as
for an id that does not exist. `POLICY_MATRIX` does the same for each app's permissions module, by role.
"""

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import cache, cached_property
from importlib.util import find_spec
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from concilium.accounts.models import AccountStatus, ApiToken, RegistrationRequest, User
from concilium.accounts.permissions import AccountAction
from concilium.accounts.permissions import can as account_can
from concilium.audit.permissions import AuditAction, AuditEventPolicy
from concilium.cases import report
from concilium.cases.models import (
    Case,
    CaseAttachment,
    CaseStatus,
    CaseTemplate,
    PanelMember,
    PanelRole,
    Recommendation,
)
from concilium.cases.permissions import (
    RULES,
    CaseAction,
    CasePolicy,
    FiguresAction,
    FiguresPolicy,
    PanelAction,
    can_configure_templates,
    can_create_case,
    can_use_queue,
)
from concilium.core.roles import Role
from concilium.directory.models import Hospital, Language, Network
from concilium.directory.permissions import ClinicianPolicy, DirectoryAction
from concilium.helpdesk.permissions import HelpdeskAction
from concilium.helpdesk.permissions import can as helpdesk_can
from concilium.notifications.models import Notification
from concilium.notifications.permissions import OutboxAction, OutboxPolicy
from concilium.patients.crypto import encrypt_local_id, local_id_digest
from concilium.patients.models import Consent, ConsentFormTemplate, Patient
from concilium.patients.permissions import PatientAction, PatientPolicy
from concilium.scheduling.models import ExpertGroup, GroupMembership
from concilium.scheduling.permissions import ExpertGroupPolicy, GroupAction
from tests.conftest import verified_client
from tests.factories import (
    PASSWORD,
    TINY_PDF,
    ClinicianFactory,
    NetworkFactory,
    SpecialtyFactory,
    UserFactory,
)
from tests.helpdesk.registration_support import make_pending_request, registration_data

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Matrix-Lantern-Harbour-77"


@pytest.fixture(autouse=True, scope="module")
def _files_and_reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Files go to a temporary folder, and a report is a fixed PDF: who may have one is tested here, not
    WeasyPrint (which is slow, and missing on some machines)."""
    with (
        override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(report, "render_report_pdf", lambda rec: TINY_PDF)
        yield


# --- the matrix ---------------------------------------------------------------------------------------------
#
# Cells: a status code, or the page a redirect (302) leads to:
#   login  the sign-in page            2fa    the second-factor step     dash    the dashboard
#   done   registration received      queue  the activation queue       sec     the security page
#   out    signed out                 sent   password reset sent        tokens  the API tokens page
#   role   an account's role page     outbox the helpdesk outbox        inbox   the in-app inbox
#   pat    a patient's page           forms  the blank consent forms    case    a case's page
#   pats   the patients list          cases  the cases list             audit   the audit log
#          (these three: after a search, kept in the session)
#   tmpl   the case templates         panel  a case's panel             talk    a case's discussion
#   rec    a case's recommendation
#   user   an account's administration page               hosps  the hospitals    nets  the networks
#   group  an expert group's administration page
# A trailing `+`: the request changes stored data. Every other cell must leave the database as it was.
# `-`: does not apply (a Bearer token has no second-factor state).
#
# Columns: anon = no session (by token: a well-formed token nobody holds); inactive = a pending, a rejected
# and a suspended account, each with a session and a token it should never have had; no2fa = a network admin
# who gave the password but not the second factor; then the six roles, fully authenticated, at the home
# hospital.
#
# Objects: own = at the actor's hospital (registration requests, accounts, outbox emails, patients, cases)
# or the actor's own (API tokens, in-app notices); other = at the other hospital, or a colleague's. The
# helpdesk and network admins serve the whole network, so they reach registration requests, accounts and
# emails of every hospital. An own case is one of the home hospital, with a valid care consent, in the status
# its action needs (a draft to edit, submitted to accept, accepted to schedule, discussed to sign, ...), with
# each persona in their natural place: the coordinator coordinates its expert group and leads its panel, the
# expert sits on its panel (once the case is accepted). Another hospital's case is sent to another group
# where none of them is: it is a 404, like a case that does not exist. ended = another hospital's case on
# whose panel the visitor sat as a guest until their access ended: its page and discussion say why (403,
# nothing of the case; tests/cases/test_access_lost.py), everything else answers 404.
#
# Sections: [prefix] is prepended to the route names below it; "by token" sends a Bearer token, not a session.
# The API's operations on one path are routes of their own ("cases_get" GET and "cases_update" PATCH).

MATRIX = """
route                   method object | anon  inactive no2fa | clin    expert  coord   help    data    admin

[core:]
healthz                 GET    -      | 200   200      200   | 200     200     200     200     200     200

[home:]
dashboard               GET    -      | login login    2fa   | 200     200     200     200     200     200
about                   GET    -      | 200   200      200   | 200     200     200     200     200     200
privacy                 GET    -      | 200   200      200   | 200     200     200     200     200     200

[accounts:]
login                   GET    -      | 200   200      2fa   | dash    dash    dash    dash    dash    dash
login                   POST   -      | 400   400      2fa   | dash    dash    dash    dash    dash    dash
logout                  POST   -      | out   out      out   | out     out     out     out     out     out
logged_out              GET    -      | 200   200      200   | 200     200     200     200     200     200
two_factor              GET    -      | login login    200   | dash    dash    dash    dash    dash    dash
two_factor              POST   -      | login login    dash+ | dash    dash    dash    dash    dash    dash
two_factor_setup        GET    -      | login login    2fa   | 200     200     200     200     200     200
two_factor_setup        POST   -      | login login    2fa   | 400     400     400     400     400     400
two_factor_disable      POST   -      | login login    2fa   | sec     sec     sec     sec     sec     sec
backup_codes            POST   -      | login login    2fa   | sec     sec     200+    200+    sec     200+
security                GET    -      | login login    2fa   | 200     200     200     200     200     200
password_change         POST   -      | login login    2fa   | sec+    sec+    sec+    sec+    sec+    sec+
logout_everywhere       POST   -      | login login    2fa   | out+    out+    out+    out+    out+    out+
language                POST   -      | login login    2fa   | sec+    sec+    sec+    sec+    sec+    sec+
password_reset          GET    -      | 200   200      200   | 200     200     200     200     200     200
password_reset          POST   -      | sent  sent     sent+ | sent+   sent+   sent+   sent+   sent+   sent+
password_reset_done     GET    -      | 200   200      200   | 200     200     200     200     200     200
password_reset_confirm  GET    -      | 200   200      200   | 200     200     200     200     200     200
password_reset_confirm  POST   -      | 200   200      200   | 200     200     200     200     200     200
password_reset_complete GET    -      | 200   200      200   | 200     200     200     200     200     200
tokens                  GET    -      | login login    2fa   | 200     200     200     200     200     200
tokens                  POST   -      | login login    2fa   | 200+    200+    200+    200+    200+    200+
token_revoke            POST   own    | login login    2fa   | tokens+ tokens+ tokens+ tokens+ tokens+ tokens+
token_revoke            POST   other  | login login    2fa   | 404     404     404     404     404     404
user_role               GET    own    | login login    2fa   | 403     403     403     403     403     200
user_role               GET    other  | login login    2fa   | 403     403     403     403     403     200
user_role               POST   own    | login login    2fa   | 403     403     403     403     403     role+
user_role               POST   other  | login login    2fa   | 403     403     403     403     403     role+

[helpdesk:]
register                GET    -      | 200   200      200   | dash    dash    dash    dash    dash    dash
register                POST   -      | done+ done+    done+ | dash    dash    dash    dash    dash    dash
register_done           GET    -      | 200   200      200   | 200     200     200     200     200     200
activation_queue        GET    -      | login login    2fa   | 403     403     403     200     403     200
activation_detail       GET    own    | login login    2fa   | 404     404     404     200     404     200
activation_detail       GET    other  | login login    2fa   | 404     404     404     200     404     200
activation_activate     POST   own    | login login    2fa   | 404     404     404     queue+  404     queue+
activation_activate     POST   other  | login login    2fa   | 404     404     404     queue+  404     queue+
activation_reject       POST   own    | login login    2fa   | 404     404     404     queue+  404     queue+
activation_reject       POST   other  | login login    2fa   | 404     404     404     queue+  404     queue+

[directory:]
search                  GET    -      | login login    2fa   | 200     200     200     200     200     200

[notifications:]
outbox                  GET    -      | login login    2fa   | 403     403     403     200     403     200
outbox_send_test        POST   -      | login login    2fa   | 403     403     403     outbox+ 403     outbox+
outbox_retry            POST   own    | login login    2fa   | 403     403     403     outbox+ 403     outbox+
outbox_retry            POST   other  | login login    2fa   | 403     403     403     outbox+ 403     outbox+
inbox                   GET    -      | login login    2fa   | 200     200     200     200     200     200
inbox_mark_all_read     POST   -      | login login    2fa   | inbox+  inbox+  inbox+  inbox+  inbox+  inbox+
inbox_mark_read         POST   own    | login login    2fa   | inbox+  inbox+  inbox+  inbox+  inbox+  inbox+
inbox_mark_read         POST   other  | login login    2fa   | 404     404     404     404     404     404

[audit:]
events                  GET    -      | login login    2fa   | 403     403     403     403     403     200
events                  POST   -      | login login    2fa   | 403     403     403     403     403     audit
export                  GET    -      | login login    2fa   | 403     403     403     403     403     200

[administration:]
users                   GET    -      | login login    2fa   | 403     403     403     200     403     200
user_detail             GET    own    | login login    2fa   | 404     404     404     200     404     200
user_detail             GET    other  | login login    2fa   | 404     404     404     200     404     200
user_suspend            GET    own    | login login    2fa   | 404     404     404     200     404     200
user_suspend            GET    other  | login login    2fa   | 404     404     404     200     404     200
user_suspend            POST   own    | login login    2fa   | 404     404     404     user+   404     user+
user_suspend            POST   other  | login login    2fa   | 404     404     404     user+   404     user+
user_reactivate         GET    own    | login login    2fa   | 404     404     404     200     404     200
user_reactivate         GET    other  | login login    2fa   | 404     404     404     200     404     200
user_reactivate         POST   own    | login login    2fa   | 404     404     404     user+   404     user+
user_reactivate         POST   other  | login login    2fa   | 404     404     404     user+   404     user+
user_second_factor_reset GET   own    | login login    2fa   | 404     404     404     200     404     200
user_second_factor_reset GET   other  | login login    2fa   | 404     404     404     200     404     200
user_second_factor_reset POST  own    | login login    2fa   | 404     404     404     user+   404     user+
user_second_factor_reset POST  other  | login login    2fa   | 404     404     404     user+   404     user+
user_sessions_end       GET    own    | login login    2fa   | 404     404     404     200     404     200
user_sessions_end       GET    other  | login login    2fa   | 404     404     404     200     404     200
user_sessions_end       POST   own    | login login    2fa   | 404     404     404     user+   404     user+
user_sessions_end       POST   other  | login login    2fa   | 404     404     404     user+   404     user+
hospitals               GET    -      | login login    2fa   | 403     403     403     200     403     200
hospital_new            GET    -      | login login    2fa   | 403     403     403     200     403     200
hospital_new            POST   -      | login login    2fa   | 403     403     403     hosps+  403     hosps+
hospital_edit           GET    own    | login login    2fa   | 404     404     404     200     404     200
hospital_edit           GET    other  | login login    2fa   | 404     404     404     200     404     200
hospital_edit           POST   own    | login login    2fa   | 404     404     404     hosps+  404     hosps+
hospital_edit           POST   other  | login login    2fa   | 404     404     404     hosps+  404     hosps+
networks                GET    -      | login login    2fa   | 403     403     403     403     403     200
network_new             GET    -      | login login    2fa   | 403     403     403     403     403     200
network_new             POST   -      | login login    2fa   | 403     403     403     403     403     nets+
network_edit            GET    own    | login login    2fa   | 404     404     404     404     404     200
network_edit            GET    other  | login login    2fa   | 404     404     404     404     404     404
network_edit            POST   own    | login login    2fa   | 404     404     404     404     404     nets+
network_edit            POST   other  | login login    2fa   | 404     404     404     404     404     404
groups                  GET    -      | login login    2fa   | 403     403     403     403     403     200
group_new               GET    -      | login login    2fa   | 403     403     403     403     403     200
group_new               POST   -      | login login    2fa   | 403     403     403     403     403     group+
group_detail            GET    own    | login login    2fa   | 404     404     404     404     404     200
group_detail            GET    other  | login login    2fa   | 404     404     404     404     404     404
group_detail            POST   own    | login login    2fa   | 404     404     404     404     404     group+
group_detail            POST   other  | login login    2fa   | 404     404     404     404     404     404
group_rule              POST   own    | login login    2fa   | 404     404     404     404     404     group+
group_rule              POST   other  | login login    2fa   | 404     404     404     404     404     404
group_member_add        POST   own    | login login    2fa   | 404     404     404     404     404     group+
group_member_add        POST   other  | login login    2fa   | 404     404     404     404     404     404
group_member_role       POST   own    | login login    2fa   | 404     404     404     404     404     group+
group_member_role       POST   other  | login login    2fa   | 404     404     404     404     404     404
group_member_remove     POST   own    | login login    2fa   | 404     404     404     404     404     group+
group_member_remove     POST   other  | login login    2fa   | 404     404     404     404     404     404

[patients:]
list                    GET    -      | login login    2fa   | 200     200     200     403     403     403
list                    POST   -      | login login    2fa   | pats    pats    pats    403     403     403
enrol                   GET    -      | login login    2fa   | 200     200     200     403     403     403
enrol                   POST   -      | login login    2fa   | pat+    pat+    pat+    403     403     403
diagnosis_codes         POST   -      | login login    2fa   | 200     200     200     403     403     403
detail                  GET    own    | login login    2fa   | 200     200     200     404     404     404
detail                  GET    other  | login login    2fa   | 404     404     404     404     404     404
update                  GET    own    | login login    2fa   | 200     200     200     404     404     404
update                  GET    other  | login login    2fa   | 404     404     404     404     404     404
update                  POST   own    | login login    2fa   | pat+    pat+    pat+    404     404     404
update                  POST   other  | login login    2fa   | 404     404     404     404     404     404
consent_record          GET    own    | login login    2fa   | 200     200     200     404     404     404
consent_record          GET    other  | login login    2fa   | 404     404     404     404     404     404
consent_record          POST   own    | login login    2fa   | pat+    pat+    pat+    404     404     404
consent_record          POST   other  | login login    2fa   | 404     404     404     404     404     404
consent_withdraw        GET    own    | login login    2fa   | 200     200     200     404     404     404
consent_withdraw        GET    other  | login login    2fa   | 404     404     404     404     404     404
consent_withdraw        POST   own    | login login    2fa   | pat+    pat+    pat+    404     404     404
consent_withdraw        POST   other  | login login    2fa   | 404     404     404     404     404     404
consent_document        GET    own    | login login    2fa   | 200     200     200     404     404     404
consent_document        GET    other  | login login    2fa   | 404     404     404     404     404     404
consent_forms           GET    -      | login login    2fa   | 403     403     403     403     403     200
consent_forms           POST   -      | login login    2fa   | 403     403     403     403     403     forms+
consent_form_download   GET    -      | login login    2fa   | 200     200     200     404     404     200

[cases:]
list                    GET    -      | login login    2fa   | 200     200     200     403     403     403
list                    POST   -      | login login    2fa   | cases   cases   cases   403     403     403
new                     GET    -      | login login    2fa   | 200     200     200     403     403     403
new                     POST   -      | login login    2fa   | case+   case+   case+   403     403     403
new_guidance            GET    -      | login login    2fa   | 200     200     200     403     403     403
queue                   GET    -      | login login    2fa   | 403     403     200     403     403     403
figures                 GET    -      | login login    2fa   | 403     403     200     403     403     200
templates               GET    -      | login login    2fa   | 403     403     403     403     403     200
template_edit           GET    -      | login login    2fa   | 403     403     403     403     403     200
template_edit           POST   -      | login login    2fa   | 403     403     403     403     403     tmpl+
my_panels               GET    -      | login login    2fa   | 200     200     200     200     200     200
detail                  GET    own    | login login    2fa   | 200     200     200     404     404     404
detail                  GET    other  | login login    2fa   | 404     404     404     404     404     404
detail                  GET    ended  | login login    2fa   | 403     403     403     403     403     403
edit                    GET    own    | login login    2fa   | 200     200     200     404     404     404
edit                    GET    other  | login login    2fa   | 404     404     404     404     404     404
edit                    POST   own    | login login    2fa   | case+   case+   case+   404     404     404
edit                    POST   other  | login login    2fa   | 404     404     404     404     404     404
checklist_confirm       POST   own    | login login    2fa   | case+   case+   case+   404     404     404
checklist_confirm       POST   other  | login login    2fa   | 404     404     404     404     404     404
attachment_upload       POST   own    | login login    2fa   | case+   case+   case+   404     404     404
attachment_upload       POST   other  | login login    2fa   | 404     404     404     404     404     404
attachment_download     GET    own    | login login    2fa   | 200     200     200     404     404     404
attachment_download     GET    other  | login login    2fa   | 404     404     404     404     404     404
attachment_remove       POST   own    | login login    2fa   | case+   case+   case+   404     404     404
attachment_remove       POST   other  | login login    2fa   | 404     404     404     404     404     404
submit                  POST   own    | login login    2fa   | case+   case+   case+   404     404     404
submit                  POST   other  | login login    2fa   | 404     404     404     404     404     404
message                 POST   own    | login login    2fa   | case+   case+   case+   404     404     404
message                 POST   other  | login login    2fa   | 404     404     404     404     404     404
accept                  POST   own    | login login    2fa   | case    case    case+   404     404     404
accept                  POST   other  | login login    2fa   | 404     404     404     404     404     404
decline                 GET    own    | login login    2fa   | case    case    200     404     404     404
decline                 GET    other  | login login    2fa   | 404     404     404     404     404     404
decline                 POST   own    | login login    2fa   | case    case    case+   404     404     404
decline                 POST   other  | login login    2fa   | 404     404     404     404     404     404
schedule                GET    own    | login login    2fa   | case    case    200     404     404     404
schedule                GET    other  | login login    2fa   | 404     404     404     404     404     404
schedule                POST   own    | login login    2fa   | case    case    case+   404     404     404
schedule                POST   other  | login login    2fa   | 404     404     404     404     404     404
discussed               POST   own    | login login    2fa   | case    case    case+   404     404     404
discussed               POST   other  | login login    2fa   | 404     404     404     404     404     404
close                   POST   own    | login login    2fa   | case+   case+   case+   404     404     404
close                   POST   other  | login login    2fa   | 404     404     404     404     404     404
panel                   GET    own    | login login    2fa   | 200     200     200     404     404     404
panel                   GET    other  | login login    2fa   | 404     404     404     404     404     404
panel_form              POST   own    | login login    2fa   | panel   panel   panel+  404     404     404
panel_form              POST   other  | login login    2fa   | 404     404     404     404     404     404
panel_candidates        POST   own    | login login    2fa   | 404     404     200     404     404     404
panel_candidates        POST   other  | login login    2fa   | 404     404     404     404     404     404
panel_invite            POST   own    | login login    2fa   | panel   panel   panel+  404     404     404
panel_invite            POST   other  | login login    2fa   | 404     404     404     404     404     404
panel_remove            POST   own    | login login    2fa   | panel   panel   panel+  404     404     404
panel_remove            POST   other  | login login    2fa   | 404     404     404     404     404     404
panel_lead              POST   own    | login login    2fa   | panel   panel   panel+  404     404     404
panel_lead              POST   other  | login login    2fa   | 404     404     404     404     404     404
discussion              GET    own    | login login    2fa   | 200     200     200     404     404     404
discussion              GET    other  | login login    2fa   | 404     404     404     404     404     404
discussion              GET    ended  | login login    2fa   | 403     403     403     403     403     403
discussion              POST   own    | login login    2fa   | talk+   talk+   talk+   404     404     404
discussion              POST   other  | login login    2fa   | 404     404     404     404     404     404
discussion              POST   ended  | login login    2fa   | 404     404     404     404     404     404
discussion_mentions     POST   own    | login login    2fa   | 200     200     200     404     404     404
discussion_mentions     POST   other  | login login    2fa   | 404     404     404     404     404     404
recommendation          GET    own    | login login    2fa   | 200     200     200     404     404     404
recommendation          GET    other  | login login    2fa   | 404     404     404     404     404     404
recommendation          POST   own    | login login    2fa   | 200     200     rec+    404     404     404
recommendation          POST   other  | login login    2fa   | 404     404     404     404     404     404

[cases:recommendation_]
sign                    POST   own    | login login    2fa   | 200     200     rec+    404     404     404
sign                    POST   other  | login login    2fa   | 404     404     404     404     404     404
report                  GET    own    | login login    2fa   | 200     200     200     404     404     404
report                  GET    other  | login login    2fa   | 404     404     404     404     404     404
report                  GET    ended  | login login    2fa   | 404     404     404     404     404     404
report_render           POST   own    | login login    2fa   | rec+    rec+    rec+    404     404     404
report_render           POST   other  | login login    2fa   | 404     404     404     404     404     404

[api:]
api-root                GET    -      | 404   404      404   | 404     404     404     404     404     404
api-root                POST   -      | 404   404      404   | 404     404     404     404     404     404
openapi-view            GET    -      | login login    login | 200     200     200     200     200     200
openapi-json            GET    -      | login login    login | 200     200     200     200     200     200
accounts_me             GET    -      | 401   401      401   | 200     200     200     200     200     200
accounts_tokens         GET    -      | 401   401      401   | 200     200     200     200     200     200
accounts_token_revoke   POST   own    | 401   401      401   | 200+    200+    200+    200+    200+    200+
accounts_token_revoke   POST   other  | 401   401      401   | 404     404     404     404     404     404
directory_clinicians    GET    -      | 401   401      401   | 200     200     200     200     200     200
panels_mine             GET    -      | 401   401      401   | 200     200     200     200     200     200

[api:patients_]
list                    GET    -      | 401   401      401   | 200     200     200     403     403     403
search                  POST   -      | 401   401      401   | 200     200     200     403     403     403
enrol                   POST   -      | 401   401      401   | 201+    201+    201+    403     403     403
diagnosis_codes         GET    -      | 401   401      401   | 200     200     200     403     403     403
get                     GET    own    | 401   401      401   | 200     200     200     404     404     404
get                     GET    other  | 401   401      401   | 404     404     404     404     404     404
consents                GET    own    | 401   401      401   | 200     200     200     404     404     404
consents                GET    other  | 401   401      401   | 404     404     404     404     404     404
consent_record          POST   own    | 401   401      401   | 201+    201+    201+    404     404     404
consent_record          POST   other  | 401   401      401   | 404     404     404     404     404     404
consent_withdraw        POST   own    | 401   401      401   | 200+    200+    200+    404     404     404
consent_withdraw        POST   other  | 401   401      401   | 404     404     404     404     404     404

[api:cases_]
list                    GET    -      | 401   401      401   | 200     200     200     403     403     403
search                  POST   -      | 401   401      401   | 200     200     200     403     403     403
create                  POST   -      | 401   401      401   | 201+    201+    201+    403     403     403
queue                   GET    -      | 401   401      401   | 403     403     200     403     403     403
get                     GET    own    | 401   401      401   | 200     200     200     404     404     404
get                     GET    other  | 401   401      401   | 404     404     404     404     404     404
get                     GET    ended  | 401   401      401   | 404     404     404     404     404     404
update                  PATCH  own    | 401   401      401   | 200+    200+    200+    404     404     404
update                  PATCH  other  | 401   401      401   | 404     404     404     404     404     404
attachments             GET    own    | 401   401      401   | 200     200     200     404     404     404
attachments             GET    other  | 401   401      401   | 404     404     404     404     404     404
attachment_upload       POST   own    | 401   401      401   | 201+    201+    201+    404     404     404
attachment_upload       POST   other  | 401   401      401   | 404     404     404     404     404     404
attachment_download     GET    own    | 401   401      401   | 200     200     200     404     404     404
attachment_download     GET    other  | 401   401      401   | 404     404     404     404     404     404
submit                  POST   own    | 401   401      401   | 200+    200+    200+    404     404     404
submit                  POST   other  | 401   401      401   | 404     404     404     404     404     404
accept                  POST   own    | 401   401      401   | 403     403     200+    404     404     404
accept                  POST   other  | 401   401      401   | 404     404     404     404     404     404
decline                 POST   own    | 401   401      401   | 403     403     200+    404     404     404
decline                 POST   other  | 401   401      401   | 404     404     404     404     404     404
schedule                POST   own    | 401   401      401   | 403     403     200+    404     404     404
schedule                POST   other  | 401   401      401   | 404     404     404     404     404     404

[api:panel_]
members                 GET    own    | 401   401      401   | 200     200     200     404     404     404
members                 GET    other  | 401   401      401   | 404     404     404     404     404     404
invite                  POST   own    | 401   401      401   | 403     403     201+    404     404     404
invite                  POST   other  | 401   401      401   | 404     404     404     404     404     404
remove                  POST   own    | 401   401      401   | 403     403     204+    404     404     404
remove                  POST   other  | 401   401      401   | 404     404     404     404     404     404
contributions           GET    own    | 401   401      401   | 200     200     200     404     404     404
contributions           GET    other  | 401   401      401   | 404     404     404     404     404     404
contribute              POST   own    | 401   401      401   | 201+    201+    201+    404     404     404
contribute              POST   other  | 401   401      401   | 404     404     404     404     404     404
contribute              POST   ended  | 401   401      401   | 404     404     404     404     404     404
recommendation          GET    own    | 401   401      401   | 404     200     200     404     404     404
recommendation          GET    other  | 401   401      401   | 404     404     404     404     404     404
recommendation_put      PUT    own    | 401   401      401   | 403     403     200+    404     404     404
recommendation_put      PUT    other  | 401   401      401   | 404     404     404     404     404     404
recommendation_sign     POST   own    | 401   401      401   | 403     403     200+    404     404     404
recommendation_sign     POST   other  | 401   401      401   | 404     404     404     404     404     404
recommendation_report   GET    own    | 401   401      401   | 200     200     200     404     404     404
recommendation_report   GET    other  | 401   401      401   | 404     404     404     404     404     404

[api: by token]
accounts_me             GET    -      | 401   401      -     | 200     200     200     200     200     200
accounts_tokens         GET    -      | 401   401      -     | 200     200     200     200     200     200
accounts_token_revoke   POST   own    | 401   401      -     | 200+    200+    200+    200+    200+    200+
accounts_token_revoke   POST   other  | 401   401      -     | 404     404     404     404     404     404
directory_clinicians    GET    -      | 401   401      -     | 200     200     200     200     200     200
panels_mine             GET    -      | 401   401      -     | 200     200     200     200     200     200

[api:patients_ by token]
list                    GET    -      | 401   401      -     | 200     200     200     403     403     403
search                  POST   -      | 401   401      -     | 200     200     200     403     403     403
enrol                   POST   -      | 401   401      -     | 201+    201+    201+    403     403     403
diagnosis_codes         GET    -      | 401   401      -     | 200     200     200     403     403     403
get                     GET    own    | 401   401      -     | 200     200     200     404     404     404
get                     GET    other  | 401   401      -     | 404     404     404     404     404     404
consents                GET    own    | 401   401      -     | 200     200     200     404     404     404
consents                GET    other  | 401   401      -     | 404     404     404     404     404     404
consent_record          POST   own    | 401   401      -     | 201+    201+    201+    404     404     404
consent_record          POST   other  | 401   401      -     | 404     404     404     404     404     404
consent_withdraw        POST   own    | 401   401      -     | 200+    200+    200+    404     404     404
consent_withdraw        POST   other  | 401   401      -     | 404     404     404     404     404     404

[api:cases_ by token]
list                    GET    -      | 401   401      -     | 200     200     200     403     403     403
search                  POST   -      | 401   401      -     | 200     200     200     403     403     403
create                  POST   -      | 401   401      -     | 201+    201+    201+    403     403     403
queue                   GET    -      | 401   401      -     | 403     403     200     403     403     403
get                     GET    own    | 401   401      -     | 200     200     200     404     404     404
get                     GET    other  | 401   401      -     | 404     404     404     404     404     404
get                     GET    ended  | 401   401      -     | 404     404     404     404     404     404
update                  PATCH  own    | 401   401      -     | 200+    200+    200+    404     404     404
update                  PATCH  other  | 401   401      -     | 404     404     404     404     404     404
attachments             GET    own    | 401   401      -     | 200     200     200     404     404     404
attachments             GET    other  | 401   401      -     | 404     404     404     404     404     404
attachment_upload       POST   own    | 401   401      -     | 201+    201+    201+    404     404     404
attachment_upload       POST   other  | 401   401      -     | 404     404     404     404     404     404
attachment_download     GET    own    | 401   401      -     | 200     200     200     404     404     404
attachment_download     GET    other  | 401   401      -     | 404     404     404     404     404     404
submit                  POST   own    | 401   401      -     | 200+    200+    200+    404     404     404
submit                  POST   other  | 401   401      -     | 404     404     404     404     404     404
accept                  POST   own    | 401   401      -     | 403     403     200+    404     404     404
accept                  POST   other  | 401   401      -     | 404     404     404     404     404     404
decline                 POST   own    | 401   401      -     | 403     403     200+    404     404     404
decline                 POST   other  | 401   401      -     | 404     404     404     404     404     404
schedule                POST   own    | 401   401      -     | 403     403     200+    404     404     404
schedule                POST   other  | 401   401      -     | 404     404     404     404     404     404

[api:panel_ by token]
members                 GET    own    | 401   401      -     | 200     200     200     404     404     404
members                 GET    other  | 401   401      -     | 404     404     404     404     404     404
invite                  POST   own    | 401   401      -     | 403     403     201+    404     404     404
invite                  POST   other  | 401   401      -     | 404     404     404     404     404     404
remove                  POST   own    | 401   401      -     | 403     403     204+    404     404     404
remove                  POST   other  | 401   401      -     | 404     404     404     404     404     404
contributions           GET    own    | 401   401      -     | 200     200     200     404     404     404
contributions           GET    other  | 401   401      -     | 404     404     404     404     404     404
contribute              POST   own    | 401   401      -     | 201+    201+    201+    404     404     404
contribute              POST   other  | 401   401      -     | 404     404     404     404     404     404
contribute              POST   ended  | 401   401      -     | 404     404     404     404     404     404
recommendation          GET    own    | 401   401      -     | 404     200     200     404     404     404
recommendation          GET    other  | 401   401      -     | 404     404     404     404     404     404
recommendation_put      PUT    own    | 401   401      -     | 403     403     200+    404     404     404
recommendation_put      PUT    other  | 401   401      -     | 404     404     404     404     404     404
recommendation_sign     POST   own    | 401   401      -     | 403     403     200+    404     404     404
recommendation_sign     POST   other  | 401   401      -     | 404     404     404     404     404     404
recommendation_report   GET    own    | 401   401      -     | 200     200     200     404     404     404
recommendation_report   GET    other  | 401   401      -     | 404     404     404     404     404     404

[oidc_]
authentication_init     GET    -      | 404   404      404   | 404     404     404     404     404     404
authentication_callback GET    -      | 404   404      404   | 404     404     404     404     404     404
logout                  POST   -      | login login    login | login   login   login   login   login   login

[]
set_language            GET    -      | dash  dash     dash  | dash    dash    dash    dash    dash    dash
set_language            POST   -      | dash  dash     dash  | dash+   dash+   dash+   dash+   dash+   dash+
"""

#: Where a redirect cell leads.
PLACES = {
    "login": "accounts:login",
    "2fa": "accounts:two_factor",
    "dash": "home:dashboard",
    "done": "helpdesk:register_done",
    "queue": "helpdesk:activation_queue",
    "sec": "accounts:security",
    "out": "accounts:logged_out",
    "sent": "accounts:password_reset_done",
    "tokens": "accounts:tokens",
    "role": "accounts:user_role",
    "outbox": "notifications:outbox",
    "inbox": "notifications:inbox",
    "pat": "patients:detail",
    "pats": "patients:list",
    "audit": "audit:events",
    "forms": "patients:consent_forms",
    "case": "cases:detail",
    "cases": "cases:list",
    "tmpl": "cases:templates",
    "panel": "cases:panel",
    "talk": "cases:discussion",
    "rec": "cases:recommendation",
    "user": "administration:user_detail",
    "hosps": "administration:hospitals",
    "nets": "administration:networks",
    "group": "administration:group_detail",
}
#: Each column's visitors.
COLUMNS = {
    "anon": ("anonymous",),
    "inactive": ("pending", "rejected", "suspended"),
    "no2fa": ("no_second_factor",),
    "clin": ("clinician",),
    "expert": ("expert",),
    "coord": ("coordinator",),
    "help": ("helpdesk",),
    "data": ("data_manager",),
    "admin": ("network_admin",),
}
#: API routes that are not operations: ninja's root (always 404) and the docs (signed-in browsers only).
API_NON_OPERATIONS = {"api:api-root", "api:openapi-view", "api:openapi-json"}
#: The conftest persona of each role.
PERSONAS = {
    "clinician": "requester",
    "expert": "expert",
    "coordinator": "coordinator",
    "helpdesk": "helpdesk",
    "data_manager": "data_manager",
    "network_admin": "network_admin",
}
REFUSALS = {"login", "2fa", "401", "403", "404"}
LABELS = {
    "login": "login_redirect",
    "2fa": "second_factor_redirect",
    "401": "unauthorized",
    "403": "forbidden",
}


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    obj: str  # "", "own" or "other"
    by_token: bool
    cells: dict[str, str]  # column -> cell


@dataclass(frozen=True)
class Cell:
    route: str
    method: str
    obj: str
    by_token: bool
    actor: str
    expected: str  # a status code or a PLACES key
    writes: bool

    @property
    def id(self) -> str:
        obj = f"[{self.obj}]" if self.obj else ""
        via = "-by_token" if self.by_token else ""
        label = LABELS.get(self.expected, "not_found") if self.expected in REFUSALS else "allowed"
        return f"{self.actor}-{self.route}{obj}-{self.method}{via}-{label}"


def _parse(table: str) -> list[Row]:
    lines = [line.strip() for line in table.strip().splitlines()]
    header, *body = [line for line in lines if line]
    columns = header.split("|")[1].split() + header.split("|")[2].split()
    assert columns == list(COLUMNS), columns
    rows: list[Row] = []
    prefix, by_token = "", False
    for line in body:
        if line.startswith("["):
            prefix, _, via = line[1:-1].partition(" ")
            by_token = via == "by token"
            continue
        head, gates, roles = line.split("|")
        name, method, obj = head.split()
        cells = gates.split() + roles.split()
        assert len(cells) == len(columns), line
        rows.append(
            Row(
                prefix + name,
                method,
                "" if obj == "-" else obj,
                by_token,
                dict(zip(columns, cells, strict=True)),
            )
        )
    return rows


def _cells(rows: list[Row]) -> Iterator[Cell]:
    for row in rows:
        for column, cell in row.cells.items():
            if cell == "-":
                continue
            for actor in COLUMNS[column]:
                expected = cell.removesuffix("+")
                yield Cell(row.route, row.method, row.obj, row.by_token, actor, expected, cell.endswith("+"))


ROWS = _parse(MATRIX)
CELLS = list(_cells(ROWS))


# --- the visitors and the objects they act on ---------------------------------------------------------------


@dataclass
class Visitor:
    actor: str
    user: User | None
    client: Client
    secret: str  # their API token (or, for nobody, a well-formed token nobody holds)


_token_numbers = itertools.count(1)


def _token_for(user: User) -> tuple[ApiToken, str]:
    """A read-and-write token, made directly: inactive accounts never get one, but may have kept one."""
    key_id = f"matrix{next(_token_numbers):06d}"
    secret = f"{ApiToken.PREFIX}{key_id}_{'s' * 32}"
    token = ApiToken.objects.create(
        user=user,
        name="matrix",
        key_id=key_id,
        key_hash=ApiToken.hash_secret(secret),
        scopes=["read", "write"],
    )
    return token, secret


class AnyStatusSessionBackend(ModelBackend):
    """Loads a session's account whatever its status (the project's backends do not); checks no password."""

    def authenticate(self, request: Any, username: Any = None, password: Any = None, **kwargs: Any) -> None:
        return None

    def user_can_authenticate(self, user: Any) -> bool:
        return True


INACTIVE_BACKEND = f"{__name__}.{AnyStatusSessionBackend.__name__}"


def _session(user: User, backend: str = "django.contrib.auth.backends.ModelBackend") -> Client:
    client = Client()
    with _unannounced():
        client.force_login(user, backend=backend)
    return client


@contextmanager
def _unannounced() -> Iterator[None]:
    """Sign a visitor in before their cell without the sign-in's own effects (its audit event, the time of
    the last sign-in): they are not what a cell tests, and thousands of cells sign someone in."""
    with mock.patch.object(user_logged_in, "send", return_value=[]):
        yield


def _current_code(user: User) -> str:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return "000000"
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


class World:
    """The two hospitals, one visitor, and the objects a route acts on, made for one matrix cell."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request
        self.home: Hospital = request.getfixturevalue("home_hospital")
        self.other: Hospital = request.getfixturevalue("other_hospital")

    # made when a cell needs them: thousands of cells make a world each

    @cached_property
    def specialty(self) -> Any:
        return SpecialtyFactory()

    @cached_property
    def colleague(self) -> User:
        return UserFactory(email="colleague@alpha.example", full_name="Cole Colleague", hospital=self.home)

    def visitor(self, actor: str, *, session: bool = True) -> Visitor:
        """The visitor `actor`, signed in unless `session` is false (a cell sent with their token only)."""
        if actor == "anonymous":
            return Visitor(actor, None, Client(), f"{ApiToken.PREFIX}nobody000000_{'n' * 32}")
        if not session and actor != "no_second_factor":
            user = (
                self._request.getfixturevalue(PERSONAS[actor]) if actor in PERSONAS else self._inactive(actor)
            )
            if user.requires_2fa:  # as every account of such a role has: signing needs its code
                TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            return Visitor(actor, user, Client(), _token_for(user)[1])
        if actor in PERSONAS:
            user = self._request.getfixturevalue(PERSONAS[actor])
            with _unannounced():
                client = verified_client(user)
        elif actor == "no_second_factor":
            user = self._request.getfixturevalue("network_admin")
            TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
            client = _session(user)
        else:
            # "Somehow had a session": a backend that loads inactive accounts lets the session reach past
            # Django's own check, so the gate and the policies must refuse the account themselves.
            settings = self._request.getfixturevalue("settings")
            settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, INACTIVE_BACKEND]
            user = self._inactive(actor)
            client = _session(user, backend=INACTIVE_BACKEND)
        return Visitor(actor, user, client, _token_for(user)[1])

    def _inactive(self, actor: str) -> User:
        email = f"{actor}@alpha.example"
        if actor == "suspended":
            return UserFactory(
                email=email, hospital=self.home, status=AccountStatus.SUSPENDED, is_active=False
            )
        registration = make_pending_request(hospital=self.home, specialty=self.specialty, email=email)
        if actor == "rejected":
            RegistrationRequest.objects.filter(pk=registration.pk).update(
                decision=RegistrationRequest.Decision.REJECTED,
                decision_reason="Not a clinician.",
                decided_at=timezone.now(),
            )
            User.objects.filter(pk=registration.user_id).update(status=AccountStatus.REJECTED)
        return User.objects.get(pk=registration.user_id)

    # objects: each returns the URL kwargs for "own", "other" or "missing"

    def registration(self, visitor: Visitor, obj: str) -> dict[str, Any]:
        if obj == "missing":
            return {"pk": _missing(RegistrationRequest)}
        hospital = self.home if obj == "own" else self.other
        return {"pk": make_pending_request(hospital=hospital, specialty=self.specialty).pk}

    def account(self, visitor: Visitor, obj: str) -> dict[str, Any]:
        if obj == "missing":
            return {"pk": _missing(User)}
        user = self.colleague if obj == "own" else self._request.getfixturevalue("outsider")
        return {"pk": user.pk}

    def token(self, visitor: Visitor, obj: str, key: str = "pk") -> dict[str, Any]:
        if obj == "missing":
            return {key: _missing(ApiToken)}
        owner = visitor.user if obj == "own" and visitor.user is not None else self.colleague
        return {key: _token_for(owner)[0].pk}

    def outbox_email(self, visitor: Visitor, obj: str) -> dict[str, Any]:
        if obj == "missing":
            return {"notification_id": _missing(Notification)}
        recipient = self.colleague if obj == "own" else self._request.getfixturevalue("outsider")
        email = _notification(recipient, Notification.Channel.EMAIL, status=Notification.Status.FAILED)
        return {"notification_id": email.pk}

    def notice(self, visitor: Visitor, obj: str) -> dict[str, Any]:
        if obj == "missing":
            return {"notification_id": _missing(Notification)}
        recipient = visitor.user if obj == "own" and visitor.user is not None else self.colleague
        return {"notification_id": _notification(recipient, Notification.Channel.IN_APP).pk}

    def registration_form(self, visitor: Visitor) -> dict[str, Any]:
        languages = list(Language.objects.filter(code="en"))
        return registration_data(self.home, self.specialty, languages, email="newcomer@alpha.example")

    def unread_notice(self, visitor: Visitor) -> dict[str, Any]:
        if visitor.user is not None:
            _notification(visitor.user, Notification.Channel.IN_APP)
        return {}

    # patients and cases: made directly (no services, no audit, no notices), in the state an action needs

    @cached_property
    def group(self) -> ExpertGroup:
        """The home hospital's cases go to this group, which the coordinator persona coordinates."""
        network = NetworkFactory(code="ern-matrix", name="Matrix network")
        return ExpertGroup.objects.create(
            network=network, name="Brain Tumour Expert Group", slug="matrix-home"
        )

    @cached_property
    def other_group(self) -> ExpertGroup:
        """The other hospital's cases go to this group, where no persona is."""
        return ExpertGroup.objects.create(
            network=self.group.network, name="Ewing Sarcoma Expert Group", slug="matrix-other"
        )

    @cached_property
    def outsider(self) -> User:
        return self._request.getfixturevalue("outsider")

    @cached_property
    def panellist(self) -> User:
        """An expert of the other hospital: the panel member that the panel's managers act on."""
        return UserFactory(
            email="panellist@beta.example", full_name="Pia Panellist", role=Role.EXPERT, hospital=self.other
        )

    def coordinate(self, visitor: Visitor) -> dict[str, Any]:
        """Put the coordinator persona in charge of the home group, the expert persona among its members."""
        role = {
            "coordinator": GroupMembership.GroupRole.COORDINATOR,
            "expert": GroupMembership.GroupRole.MEMBER,
        }
        if visitor.actor in role:
            GroupMembership.objects.get_or_create(
                group=self.group, user=visitor.user, defaults={"role": role[visitor.actor]}
            )
        return {}

    def patient(self, obj: str, *, document: bool = False) -> Patient:
        """A patient of the home ("own") or the other hospital, with a valid care consent (`self.consent`)."""
        hospital, enrolled_by = (self.home, self.colleague) if obj == "own" else (self.other, self.outsider)
        n = next(_serial)
        patient = Patient.objects.create(
            pseudonym=f"PX-MATRIX-{n:05d}",
            hospital=hospital,
            birth_year=2016,
            birth_month=5,
            sex="female",
            country=hospital.country,
            local_id_encrypted=encrypt_local_id(f"MRN-{n:06d}"),
            local_id_digest=local_id_digest(f"MRN-{n:06d}"),
            diagnosis="Medulloblastoma of the posterior fossa",
            has_care_consent=True,
            enrolled_by=enrolled_by,
        )
        self.consent = Consent(
            patient=patient,
            language="en",
            form_version="1.0",
            signer="guardian",
            guardian_name="Gina Guardian",
            signed_on=timezone.localdate() - timedelta(days=30),
            document_type="application/pdf",
            recorded_by=enrolled_by,
        )
        if document:
            self.consent.document.save("consent.pdf", ContentFile(TINY_PDF), save=False)
        else:
            self.consent.document.name = "consents/matrix.pdf"
        self.consent.save()
        return patient

    def patient_ids(
        self, visitor: Visitor, obj: str, *, consent: bool = False, document: bool = False
    ) -> dict[str, Any]:
        if obj == "missing":
            ids = {"patient_id": _missing(Patient)}
            return {**ids, "consent_id": _missing(Consent)} if consent else ids
        ids = {"patient_id": self.patient(obj, document=document).pk}
        return {**ids, "consent_id": self.consent.pk} if consent else ids

    def case(self, visitor: Visitor, obj: str, status: str, extras: tuple[str, ...] = ()) -> Case:
        """A case in `status`, with what its route acts on (`extras`: an attachment, a panel member, ...)."""
        own = obj == "own"
        if own:
            self.coordinate(visitor)
        patient = self.patient(obj)
        now = timezone.now()

        def reached(step: str) -> bool:
            return CASE_STEPS.index(status) >= CASE_STEPS.index(step)

        case = Case.objects.create(
            reference=f"C-MATRIX-{next(_serial):05d}",
            patient=patient,
            hospital=patient.hospital,
            group=self.group if own else self.other_group,
            requester=patient.enrolled_by,
            status=status,
            clinical_history="Eight-year-old with headaches and morning vomiting for six weeks.",
            question="Is second-look surgery advisable before radiotherapy?",
            submitted_at=now - timedelta(days=3) if reached(CaseStatus.SUBMITTED) else None,
            decided_at=now - timedelta(days=2) if reached(CaseStatus.ACCEPTED) else None,
            discussion_on=now + timedelta(days=5) if reached(CaseStatus.SCHEDULED) else None,
            discussed_at=now if reached(CaseStatus.DISCUSSED) else None,
            signed_at=now if reached(CaseStatus.SIGNED) else None,
        )
        if obj == "ended" and visitor.user is not None:  # a guest whose access ended an hour ago
            PanelMember.objects.create(
                case=case, user=visitor.user, role=PanelRole.GUEST, expires_at=now - timedelta(hours=1)
            )
        lead = visitor.user if own and visitor.actor == "coordinator" else None
        if reached(CaseStatus.ACCEPTED):  # accepting a case seats the group's people on its panel
            if lead is not None:
                PanelMember.objects.create(case=case, user=lead, role=PanelRole.LEAD)
            if own and visitor.actor == "expert":
                PanelMember.objects.create(case=case, user=visitor.user, role=PanelRole.MEMBER)
        if "member" in extras:
            self.member = PanelMember.objects.create(case=case, user=self.panellist, role=PanelRole.MEMBER)
        if "newcomer" in extras:  # a member of the group not yet on the panel
            GroupMembership.objects.create(group=case.group, user=self.panellist)
        if "attachment" in extras:
            self.attachment = CaseAttachment(
                case=case,
                name="mri.pdf",
                kind=CaseAttachment.Kind.PDF,
                content_type="application/pdf",
                size=len(TINY_PDF),
                sha256="0" * 64,
                uploaded_by=case.requester,
            )
            self.attachment.file.save("mri.pdf", ContentFile(TINY_PDF), save=False)
            self.attachment.save()
        if "draft" in extras or reached(CaseStatus.SIGNED):
            signed = reached(CaseStatus.SIGNED)
            rec = Recommendation.objects.create(
                case=case,
                summary="A medulloblastoma, incompletely resected.",
                recommendation="Second-look surgery, then craniospinal radiotherapy.",
                drafted_by=lead or case.requester,
                signed_by=(lead or case.requester) if signed else None,
                signed_at=now if signed else None,
                content_sha256="0" * 64 if signed else "",
            )
            if "report" in extras:
                rec.report.save("report.pdf", ContentFile(TINY_PDF), save=True)
        return case

    # the administration: accounts in a state an action needs, hospitals, networks and expert groups

    def managed_account(
        self, visitor: Visitor, obj: str, *, status: str = AccountStatus.ACTIVE, device: bool = False
    ) -> dict[str, Any]:
        """A clinician of the home ("own") or the other hospital, in `status`, with an authenticator if
        `device`: the account an administration action is tried on."""
        if obj == "missing":
            return {"pk": _missing(User)}
        hospital = self.home if obj == "own" else self.other
        user = UserFactory(
            email=f"managed-{obj}@hospital.example",
            hospital=hospital,
            status=status,
            is_active=status == AccountStatus.ACTIVE,
        )
        if device:
            TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        return {"pk": user.pk}

    def hospital(self, visitor: Visitor, obj: str) -> dict[str, Any]:
        if obj == "missing":
            return {"pk": _missing(Hospital)}
        return {"pk": (self.home if obj == "own" else self.other).pk}

    def administered_network(self, visitor: Visitor, obj: str) -> Network:
        """A network the visitor administers ("own"), or one administered by nobody they know ("other")."""
        network = NetworkFactory(code=f"ern-admin-{obj}", name=f"Network {obj}")
        if obj == "own" and visitor.user is not None:
            network.administrators.add(visitor.user)
        return network

    def network(self, visitor: Visitor, obj: str) -> dict[str, Any]:
        if obj == "missing":
            return {"pk": _missing(Network)}
        return {"pk": self.administered_network(visitor, obj).pk}

    def admin_group(self, visitor: Visitor, obj: str, *, membership: bool = False) -> dict[str, Any]:
        """An expert group of a network the visitor administers ("own") or not ("other"); with one member
        (the colleague) when `membership`, whose id goes in the URL too."""
        if obj == "missing":
            ids = {"pk": _missing(ExpertGroup)}
            return {**ids, "membership_pk": _missing(GroupMembership)} if membership else ids
        network = self.administered_network(visitor, obj)
        self.admin_network_id = network.pk
        group = ExpertGroup.objects.create(network=network, name=f"Group {obj}", slug=f"admin-group-{obj}")
        if not membership:
            return {"pk": group.pk}
        self.membership = GroupMembership.objects.create(group=group, user=self.colleague)
        return {"pk": group.pk, "membership_pk": self.membership.pk}

    def confirm_item(self) -> dict[str, str]:
        """The group's checklist gets an item to confirm; the form data that confirms it."""
        CaseTemplate.objects.update_or_create(
            group=self.group,
            defaults={"checklist": [{"key": "tumour-board", "label": "Tumour board", "kind": "confirm"}]},
        )
        return {"key": "tumour-board", "confirmed": "1"}

    def invitee(self) -> Any:
        """A listed clinician of the other hospital with an account: someone to invite to a panel."""
        user = UserFactory(
            email="invitee@beta.example", full_name="Ines Invitee", role=Role.EXPERT, hospital=self.other
        )
        return ClinicianFactory(
            full_name=user.full_name,
            email=user.email,
            hospital=self.other,
            specialty=self.specialty,
            user=user,
        )

    def blank_form(self, visitor: Visitor, obj: str) -> dict[str, Any]:
        form = ConsentFormTemplate(language="en", version="1.0", title="Consent to care")
        form.document.save("blank.pdf", ContentFile(TINY_PDF), save=False)
        form.save()
        return {"form_id": form.pk}

    def new_case_form(self, visitor: Visitor) -> dict[str, Any]:
        return {
            "patient": self.patient("own").pk,
            "group": self.group.pk,
            "clinical_history": "Six-year-old with a posterior fossa tumour, resected in March.",
            "question": "Is second-look surgery advisable?",
        }


#: The statuses a case passes through on its way to a signed recommendation.
CASE_STEPS = [
    CaseStatus.DRAFT,
    CaseStatus.SUBMITTED,
    CaseStatus.ACCEPTED,
    CaseStatus.SCHEDULED,
    CaseStatus.DISCUSSED,
    CaseStatus.SIGNED,
]
_serial = itertools.count(1)


def _case(status: str, *extras: str, api: bool = False) -> Callable[[World, Visitor, str], dict[str, Any]]:
    """URL kwargs of a case in `status`; `extras` it holds: "attachment" and "member" (their ids go in the URL
    too), "newcomer" (a group member off the panel), "draft" and "report" (of the recommendation)."""
    keys = (
        {"case": "case_id", "attachment": "attachment_id"}
        if api
        else {"case": "pk", "attachment": "attachment_pk"}
    )

    def kwargs(world: World, visitor: Visitor, obj: str) -> dict[str, Any]:
        if obj == "missing":
            found = {keys["case"]: _missing(Case)}
            if "attachment" in extras:
                found[keys["attachment"]] = _missing(CaseAttachment)
            if "member" in extras:
                found["member_id"] = _missing(PanelMember)
            return found
        found = {keys["case"]: world.case(visitor, obj, status, extras).pk}
        if "attachment" in extras:
            found[keys["attachment"]] = world.attachment.pk
        if "member" in extras:
            found["member_id"] = world.member.pk
        return found

    return kwargs


def _patient(**options: bool) -> Callable[[World, Visitor, str], dict[str, Any]]:
    return lambda world, visitor, obj: world.patient_ids(visitor, obj, **options)


def _upload(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, TINY_PDF, content_type="application/pdf")


def _signed_consent(**fields: Any) -> dict[str, Any]:
    """A signed consent's fields, as the forms and the API take them."""
    return {
        "language": "en",
        "form_version": "2.1",
        "signer": "guardian",
        "guardian_name": "Gina Guardian",
        "signed_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "document": _upload("consent.pdf"),
        **fields,
    }


def _new_patient(**fields: Any) -> dict[str, Any]:
    return {
        "local_id": "MRN-NEW-0001",
        "birth_year": "2017",
        "birth_month": "3",
        "sex": "male",
        "country": "FR",
        "diagnosis": "Ewing sarcoma of the femur",
        **_signed_consent(**fields),
    }


def _credential(visitor: Visitor) -> str:
    """What signing asks of the visitor: their authenticator's current code if they have one, else the
    password."""
    if visitor.user is not None and TOTPDevice.objects.filter(user=visitor.user, confirmed=True).exists():
        return _current_code(visitor.user)
    return PASSWORD


def _in_five_days() -> Any:
    return timezone.localtime() + timedelta(days=5)


class Json(dict[str, Any]):
    """A request body the API takes as JSON (its schemas), not as a form."""


RECOMMENDATION = {
    "summary": "A medulloblastoma, incompletely resected; the residue is 1 cm.",
    "recommendation": "Second-look surgery, then craniospinal radiotherapy.",
}


def _missing(model: type[Any]) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def _notification(recipient: User, channel: str, status: str = Notification.Status.PENDING) -> Notification:
    return Notification.objects.create(
        recipient=recipient,
        channel=channel,
        kind="matrix",
        language="en",
        subject="A notice",
        body="Something happened.",
        status=status,
    )


def _email(visitor: Visitor) -> str:
    return visitor.user.email if visitor.user is not None else "nobody@alpha.example"


#: URL kwargs of routes that take ids: (world, visitor, object) -> kwargs.
OBJECTS: dict[str, Callable[[World, Visitor, str], dict[str, Any]]] = {
    "helpdesk:activation_detail": World.registration,
    "helpdesk:activation_activate": World.registration,
    "helpdesk:activation_reject": World.registration,
    "accounts:user_role": World.account,
    "accounts:token_revoke": World.token,
    "api:accounts_token_revoke": lambda world, visitor, obj: world.token(visitor, obj, key="token_id"),
    "notifications:outbox_retry": World.outbox_email,
    "notifications:inbox_mark_read": World.notice,
    "accounts:password_reset_confirm": lambda world, visitor, obj: {"uidb64": "MQ", "token": "not-a-token"},
    "administration:user_detail": World.managed_account,
    "administration:user_suspend": World.managed_account,
    "administration:user_reactivate": lambda world, visitor, obj: world.managed_account(
        visitor, obj, status=AccountStatus.SUSPENDED
    ),
    "administration:user_second_factor_reset": lambda world, visitor, obj: world.managed_account(
        visitor, obj, device=True
    ),
    "administration:user_sessions_end": World.managed_account,
    "administration:hospital_edit": World.hospital,
    "administration:network_edit": World.network,
    "administration:group_detail": World.admin_group,
    "administration:group_rule": World.admin_group,
    "administration:group_member_add": World.admin_group,
    "administration:group_member_role": lambda world, visitor, obj: world.admin_group(
        visitor, obj, membership=True
    ),
    "administration:group_member_remove": lambda world, visitor, obj: world.admin_group(
        visitor, obj, membership=True
    ),
    "patients:detail": _patient(),
    "patients:update": _patient(),
    "patients:consent_record": _patient(),
    "patients:consent_withdraw": _patient(consent=True),
    "patients:consent_document": _patient(consent=True, document=True),
    "patients:consent_form_download": World.blank_form,
    "cases:queue": lambda world, visitor, obj: world.coordinate(visitor),
    "cases:figures": lambda world, visitor, obj: world.coordinate(visitor),
    "cases:template_edit": lambda world, visitor, obj: {"group_pk": world.group.pk},
    "cases:detail": _case(CaseStatus.ACCEPTED),
    "cases:edit": _case(CaseStatus.DRAFT),
    "cases:checklist_confirm": _case(CaseStatus.DRAFT),
    "cases:attachment_upload": _case(CaseStatus.DRAFT),
    "cases:attachment_download": _case(CaseStatus.SUBMITTED, "attachment"),
    "cases:attachment_remove": _case(CaseStatus.DRAFT, "attachment"),
    "cases:submit": _case(CaseStatus.DRAFT),
    "cases:message": _case(CaseStatus.SUBMITTED),
    "cases:accept": _case(CaseStatus.SUBMITTED),
    "cases:decline": _case(CaseStatus.SUBMITTED),
    "cases:schedule": _case(CaseStatus.ACCEPTED),
    "cases:discussed": _case(CaseStatus.SCHEDULED),
    "cases:close": _case(CaseStatus.SIGNED),
    "cases:panel": _case(CaseStatus.ACCEPTED),
    "cases:panel_form": _case(CaseStatus.ACCEPTED, "newcomer"),
    "cases:panel_candidates": _case(CaseStatus.ACCEPTED),
    "cases:panel_invite": _case(CaseStatus.ACCEPTED),
    "cases:panel_remove": _case(CaseStatus.ACCEPTED, "member"),
    "cases:panel_lead": _case(CaseStatus.ACCEPTED, "member"),
    "cases:discussion": _case(CaseStatus.ACCEPTED),
    "cases:discussion_mentions": _case(CaseStatus.ACCEPTED),
    "cases:recommendation": _case(CaseStatus.DISCUSSED, "draft"),
    "cases:recommendation_sign": _case(CaseStatus.DISCUSSED, "draft"),
    "cases:recommendation_report": _case(CaseStatus.SIGNED, "report"),
    "cases:recommendation_report_render": _case(CaseStatus.SIGNED),
    "api:patients_get": _patient(),
    "api:patients_consents": _patient(),
    "api:patients_consent_record": _patient(),
    "api:patients_consent_withdraw": _patient(consent=True),
    "api:cases_get": _case(CaseStatus.ACCEPTED, api=True),
    "api:cases_update": _case(CaseStatus.DRAFT, api=True),
    "api:cases_attachments": _case(CaseStatus.SUBMITTED, api=True),
    "api:cases_attachment_upload": _case(CaseStatus.DRAFT, api=True),
    "api:cases_attachment_download": _case(CaseStatus.SUBMITTED, "attachment", api=True),
    "api:cases_submit": _case(CaseStatus.DRAFT, api=True),
    "api:cases_accept": _case(CaseStatus.SUBMITTED, api=True),
    "api:cases_decline": _case(CaseStatus.SUBMITTED, api=True),
    "api:cases_schedule": _case(CaseStatus.ACCEPTED, api=True),
    "api:panel_members": _case(CaseStatus.ACCEPTED, api=True),
    "api:panel_invite": _case(CaseStatus.ACCEPTED, api=True),
    "api:panel_remove": _case(CaseStatus.ACCEPTED, "member", api=True),
    "api:panel_contributions": _case(CaseStatus.ACCEPTED, api=True),
    "api:panel_contribute": _case(CaseStatus.ACCEPTED, api=True),
    "api:panel_recommendation": _case(CaseStatus.DISCUSSED, "draft", api=True),
    "api:panel_recommendation_put": _case(CaseStatus.SCHEDULED, api=True),
    "api:panel_recommendation_sign": _case(CaseStatus.DISCUSSED, "draft", api=True),
    "api:panel_recommendation_report": _case(CaseStatus.SIGNED, "report", api=True),
}
#: A valid submission for each POST, so that a refusal is the only thing that can stop it.
PAYLOADS: dict[str, Callable[[World, Visitor], dict[str, Any]]] = {
    "helpdesk:register": World.registration_form,
    "helpdesk:activation_reject": lambda world, visitor: {"reason": "Not a clinician."},
    "accounts:login": lambda world, visitor: {"username": _email(visitor), "password": PASSWORD},
    "accounts:two_factor": lambda world, visitor: {
        "code": _current_code(visitor.user) if visitor.user else ""
    },
    "accounts:two_factor_setup": lambda world, visitor: {"code": "000000"},
    "accounts:two_factor_disable": lambda world, visitor: {"password": PASSWORD},
    "accounts:password_change": lambda world, visitor: {
        "old_password": PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    },
    "accounts:password_reset": lambda world, visitor: {"email": _email(visitor)},
    "accounts:password_reset_confirm": lambda world, visitor: {
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    },
    "accounts:tokens": lambda world, visitor: {"name": "matrix script", "scopes": ["read"], "lifetime": "30"},
    "accounts:user_role": lambda world, visitor: {"action": "role", "role": Role.EXPERT},
    "administration:user_suspend": lambda world, visitor: {"reason": "Left the hospital."},
    "administration:user_second_factor_reset": lambda world, visitor: {"reason": "Lost phone."},
    "administration:hospital_new": lambda world, visitor: {"name": "Matrix Hospital", "country": "FR"},
    "administration:hospital_edit": lambda world, visitor: {"name": "Renamed Hospital", "country": "FR"},
    "administration:network_new": lambda world, visitor: {"code": "ern-new", "name": "New", "kind": "ern"},
    "administration:network_edit": lambda world, visitor: {"name": "Renamed network", "kind": "ern"},
    "administration:group_new": lambda world, visitor: {
        "network": world.administered_network(visitor, "own").pk,
        "name": "New group",
    },
    "administration:group_detail": lambda world, visitor: {
        "network": getattr(world, "admin_network_id", ""),
        "name": "Renamed group",
    },
    "administration:group_rule": lambda world, visitor: {
        "weekday": "3",
        "local_time": "14:00",
        "time_zone": "Europe/Brussels",
        "slot_count": "6",
        "slot_minutes": "20",
    },
    "administration:group_member_add": lambda world, visitor: {
        "email": world.colleague.email,
        "role": "member",
    },
    "administration:group_member_role": lambda world, visitor: {
        f"m{getattr(world, 'membership', GroupMembership()).pk}-role": "coordinator"
    },
    "notifications:inbox_mark_all_read": World.unread_notice,
    "set_language": lambda world, visitor: {"language": "de"},
    "accounts:language": lambda world, visitor: {"language": "de"},
    "patients:list": lambda world, visitor: {"q": "MRN-4711", "consent": "valid"},
    "audit:events": lambda world, visitor: {"who": "rita@alpha.example", "outcome": "denied"},
    "patients:diagnosis_codes": lambda world, visitor: {"q": "c71"},
    "patients:enrol": lambda world, visitor: _new_patient(for_care="on"),
    "patients:update": lambda world, visitor: {"diagnosis": "Medulloblastoma, WNT-activated"},
    "patients:consent_record": lambda world, visitor: _signed_consent(for_care="on"),
    "patients:consent_withdraw": lambda world, visitor: {
        "withdrawn_on": timezone.localdate().isoformat(),
        "reason": "The family changed its mind.",
        "confirm": "on",
    },
    "patients:consent_forms": lambda world, visitor: {
        "language": "de",
        "version": "9.1",
        "title": "Einwilligung",
        "document": _upload("blank.pdf"),
    },
    "cases:list": lambda world, visitor: {"q": "MRN-4711", "status": "submitted"},
    "cases:new": World.new_case_form,
    "cases:template_edit": lambda world, visitor: {
        "required_clinical_history": "on",
        "required_question": "on",
        "checklist": "confirm: Discussed in the local tumour board",
    },
    "cases:edit": lambda world, visitor: {
        "clinical_history": "Eight-year-old; the MRI shows a 1 cm residue.",
        "question": "Is second-look surgery advisable?",
    },
    "cases:attachment_upload": lambda world, visitor: {"file": _upload("mri.pdf"), "description": "MRI"},
    "cases:message": lambda world, visitor: {"body": "The MRI report is attached."},
    "cases:checklist_confirm": lambda world, visitor: world.confirm_item(),
    "cases:decline": lambda world, visitor: {"reason": "Outside the group's remit."},
    "cases:schedule": lambda world, visitor: {"discussion_on": _in_five_days().strftime("%Y-%m-%dT%H:%M")},
    "cases:panel_candidates": lambda world, visitor: {"q": "rossi"},
    "cases:panel_invite": lambda world, visitor: {"clinician": world.invitee().pk, "role": PanelRole.MEMBER},
    "cases:discussion": lambda world, visitor: {"kind": "opinion", "body": "Second-look surgery first."},
    "cases:recommendation": lambda world, visitor: RECOMMENDATION,
    "cases:recommendation_sign": lambda world, visitor: {"credential": _credential(visitor)},
    "api:patients_search": lambda world, visitor: Json(q="MRN-4711", consent="valid"),
    "api:patients_enrol": lambda world, visitor: _new_patient(for_care="true"),
    "api:patients_consent_record": lambda world, visitor: _signed_consent(for_care="true"),
    "api:patients_consent_withdraw": lambda world, visitor: Json(
        withdrawn_on=timezone.localdate().isoformat(), reason="The family changed its mind."
    ),
    "api:cases_search": lambda world, visitor: Json(q="MRN-4711", status="submitted"),
    "api:cases_create": lambda world, visitor: Json(world.new_case_form(visitor)),
    "api:cases_update": lambda world, visitor: Json(clinical_history="The MRI shows a 1 cm residue."),
    "api:cases_decline": lambda world, visitor: Json(reason="Outside the group's remit."),
    "api:cases_schedule": lambda world, visitor: Json(discussion_on=_in_five_days().isoformat()),
    "api:cases_attachment_upload": lambda world, visitor: {"file": _upload("mri.pdf"), "description": "MRI"},
    "api:panel_invite": lambda world, visitor: Json(clinician_id=world.invitee().pk, role=PanelRole.MEMBER),
    "api:panel_contribute": lambda world, visitor: Json(body="Second-look surgery first."),
    "api:panel_recommendation_put": lambda world, visitor: Json(RECOMMENDATION),
    "api:panel_recommendation_sign": lambda world, visitor: Json(credential=_credential(visitor)),
}


# --- what a request stored ----------------------------------------------------------------------------------

#: Not domain data: Django's tables, sessions, lockout counters and the audit log (refusals are audited).
_UNWATCHED_APPS = {"auth", "contenttypes", "sessions", "axes", "audit"}
#: Touched by reads: the time of the last sign-in and of a token's or device's last use.
_UNWATCHED_FIELDS = {"last_login", "last_used_at"}


@cache
def _watched_tables() -> list[tuple[str, str]]:
    """(model label, the SQL that reads its rows) of every domain table, many-to-many links included."""
    quote = connection.ops.quote_name
    tables = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in _UNWATCHED_APPS:
            continue
        columns = ", ".join(
            quote(field.column)
            for field in model._meta.concrete_fields
            if field.name not in _UNWATCHED_FIELDS
        )
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        tables.append((model._meta.label, f"SELECT {columns} FROM {table} ORDER BY {pk}"))
    return tables


def _stored() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every domain table (accounts, directory, helpdesk, OTP devices, tasks, ...), read
    directly: the matrix reads them twice for each of its thousands of cells."""
    state = {}
    with connection.cursor() as cursor:
        for label, sql in _watched_tables():
            cursor.execute(sql)
            state[label] = cursor.fetchall()
    return state


def _changed_tables(before: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    after = _stored()
    return [label for label in after if after[label] != before[label]]


# --- requests and outcomes ----------------------------------------------------------------------------------


def _send(visitor: Visitor, method: str, path: str, data: dict[str, Any], *, by_token: bool) -> HttpResponse:
    if by_token:
        client, headers = Client(), {"Authorization": f"Bearer {visitor.secret}"}
    else:
        client, headers = visitor.client, {}
    if method == "GET":
        return client.get(path, headers=headers)
    send = getattr(client, method.lower())
    if isinstance(data, Json):
        return send(path, dict(data), content_type="application/json", headers=headers)
    return send(path, data, headers=headers)


def _outcome(response: HttpResponse) -> str:
    """The cell a response matches: its status code, or the PLACES key of where it redirects."""
    if response.status_code != 302:
        return str(response.status_code)
    target = resolve(urlsplit(response["Location"]).path).view_name
    return next((place for place, name in PLACES.items() if name == target), f"302 to {target}")


def _request_cell(request: pytest.FixtureRequest, cell: Cell, obj: str) -> tuple[HttpResponse, list[str]]:
    world = World(request)
    visitor = world.visitor(cell.actor, session=not cell.by_token)
    kwargs = OBJECTS[cell.route](world, visitor, obj) if cell.route in OBJECTS else {}
    path = reverse(cell.route, kwargs=kwargs)
    data = PAYLOADS.get(cell.route, lambda world, visitor: {})(world, visitor) if cell.method != "GET" else {}
    before = _stored()
    response = _send(visitor, cell.method, path, data, by_token=cell.by_token)
    return response, _changed_tables(before)


@pytest.mark.parametrize("cell", CELLS, ids=[cell.id for cell in CELLS])
def test_every_visitor_gets_what_the_matrix_says(request, cell):
    response, changed = _request_cell(request, cell, cell.obj)
    assert _outcome(response) == cell.expected
    if response.status_code == 401:
        assert response["Content-Type"] == "application/problem+json"
    assert bool(changed) == cell.writes, f"changed: {changed}" if changed else "nothing was written"


@pytest.mark.parametrize("actor", COLUMNS["inactive"])
def test_an_inactive_accounts_session_really_reaches_the_gate_and_is_ended_there(request, actor):
    visitor = World(request).visitor(actor)
    assert visitor.user is not None
    assert visitor.client.session["_auth_user_id"] == str(visitor.user.pk)
    response = visitor.client.get(reverse("home:dashboard"))
    assert response["Location"] == reverse("accounts:login")  # the gate's own answer, without ?next=
    assert "_auth_user_id" not in visitor.client.session


#: Refusals that say nothing of the object. A former guest's 403 says why they lost access: not hidden.
HIDDEN = [
    cell
    for cell in CELLS
    if cell.obj in {"other", "ended"}
    and cell.expected in REFUSALS
    and (cell.obj, cell.expected) != ("ended", "403")
]


@pytest.mark.parametrize("cell", HIDDEN, ids=[cell.id for cell in HIDDEN])
def test_an_object_one_may_not_touch_answers_as_if_it_did_not_exist(request, cell):
    response, changed = _request_cell(request, cell, "missing")
    assert _outcome(response) == cell.expected
    assert not changed


# --- the table itself ---------------------------------------------------------------------------------------


def _routes(
    patterns: list[URLPattern | URLResolver] | None = None, namespace: str = "", prefix: str = ""
) -> Iterator[tuple[str, str]]:
    """Every route of the project as (name, its whole URL pattern)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _routes(entry.url_patterns, inner, prefix + str(entry.pattern))
        else:
            assert entry.name, f"unnamed URL pattern {entry.pattern}: name it, then give it a row"
            yield namespace + entry.name, prefix + str(entry.pattern)


def _route_names() -> Iterator[str]:
    return (name for name, _ in _routes())


#: The API's operations on one path are routes of their own (GET /api/cases/{id} and PATCH are two names).
_PATTERNS = dict(_routes())


def test_every_route_of_the_project_has_a_row():
    routes = set(_route_names())
    in_table = {row.route for row in ROWS}
    assert sorted(routes - in_table) == [], "routes without a row in MATRIX"
    assert sorted(in_table - routes) == [], "rows in MATRIX for routes that do not exist"


def test_each_row_is_written_once():
    keys = [(row.route, row.method, row.obj, row.by_token) for row in ROWS]
    assert len(keys) == len(set(keys))


def test_every_api_operation_is_tried_by_session_and_by_token():
    api_rows = [row for row in ROWS if row.route.startswith("api:") and row.route not in API_NON_OPERATIONS]
    by_session = {(row.route, row.method, row.obj) for row in api_rows if not row.by_token}
    by_token = {(row.route, row.method, row.obj) for row in api_rows if row.by_token}
    assert by_session == by_token


def test_a_session_of_an_inactive_account_is_worth_no_more_than_no_session():
    for row in ROWS:
        assert row.cells["inactive"] == row.cells["anon"], row.route


def test_a_role_that_uses_a_route_gets_404_for_the_objects_it_may_not_touch():
    own = {(row.route, row.method, row.by_token): row for row in ROWS if row.obj == "own"}
    for row in ROWS:
        if row.obj != "other":
            continue
        for column, cell in row.cells.items():
            if own[row.route, row.method, row.by_token].cells[column].removesuffix("+") not in REFUSALS:
                assert cell.removesuffix("+") not in {"403", "401"}, (row.route, column)


#: Each route with each object and way in (session or token), whatever the method.
ROUTE_WAYS = sorted({(row.route, row.obj, row.by_token) for row in ROWS})


@pytest.mark.parametrize(
    ("route", "obj", "by_token"),
    ROUTE_WAYS,
    ids=[
        f"{route}{f'[{obj}]' if obj else ''}{'-by_token' if by_token else ''}"
        for route, obj, by_token in ROUTE_WAYS
    ],
)
def test_a_method_without_a_row_is_refused(request, route, obj, by_token):
    listed = {
        row.method
        for row in ROWS
        if row.by_token == by_token and _PATTERNS.get(row.route) == _PATTERNS[route]
    }
    world = World(request)
    visitor = world.visitor("network_admin", session=not by_token)
    for method in {"GET", "POST"} - listed:
        kwargs = OBJECTS[route](world, visitor, obj or "own") if route in OBJECTS else {}
        before = _stored()
        response = _send(visitor, method, reverse(route, kwargs=kwargs), {}, by_token=by_token)
        assert response.status_code == 405, method
        assert not _changed_tables(before)


# --- the permissions modules, role by action ----------------------------------------------------------------

# Each role at its hospital, by its role alone. For cases: starting one, the queue, the case templates and
# the figures (which follow coordinating a group, not the coordinator role), then each rule of the case
# policy on a case of the actor's own hospital, in a status that allows it. Deciding, scheduling, leading the
# panel and the recommendation belong to a group's coordinators and a panel's members, whatever their role:
# those relations are in MATRIX.

POLICY_MATRIX = """
action                          clin  expert  coord  help  data  admin
helpdesk.registration_review    -     -       -      yes   -     yes
helpdesk.registration_decide    -     -       -      yes   -     yes
accounts.api_tokens_own         yes   yes     yes    yes   yes   yes
accounts.preferences_own        yes   yes     yes    yes   yes   yes
accounts.role_change            -     -       -      -     -     yes
accounts.account_suspend        -     -       -      yes   -     yes
accounts.users_view             -     -       -      yes   -     yes
accounts.account_reactivate     -     -       -      yes   -     yes
accounts.second_factor_reset    -     -       -      yes   -     yes
accounts.sessions_end           -     -       -      yes   -     yes
directory.view                  yes   yes     yes    yes   yes   yes
directory.import                -     -       -      -     -     yes
directory.export                -     -       -      -     -     yes
directory.hospitals_manage      -     -       -      yes   -     yes
directory.networks_manage       -     -       -      -     -     yes
scheduling.view                 -     -       -      -     -     yes
scheduling.configure            -     -       -      -     -     yes
scheduling.members              -     -       -      -     -     yes
scheduling.rule                 -     -       -      -     -     yes
audit.view                      -     -       -      -     -     yes
audit.export                    -     -       -      -     -     yes
outbox.view                     -     -       -      yes   -     yes
outbox.retry                    -     -       -      yes   -     yes
outbox.send_test                -     -       -      yes   -     yes
patients.view                   yes   yes     yes    -     -     -
patients.enrol                  yes   yes     yes    -     -     -
patients.update                 yes   yes     yes    -     -     -
patients.consent_record         yes   yes     yes    -     -     -
patients.consent_withdraw       yes   yes     yes    -     -     -
patients.forms_manage           -     -       -      -     -     yes
patients.forms_download         yes   yes     yes    -     -     yes
cases.case_create               yes   yes     yes    -     -     -
cases.queue                     -     -       yes    -     -     -
cases.templates_configure       -     -       -      -     -     yes
cases.figures                   -     -       -      -     -     yes
cases.view                      yes   yes     yes    -     -     -
cases.edit                      yes   yes     yes    -     -     -
cases.attach                    yes   yes     yes    -     -     -
cases.remove_attachment         yes   yes     yes    -     -     -
cases.submit                    yes   yes     yes    -     -     -
cases.decide                    -     -       -      -     -     -
cases.message                   yes   yes     yes    -     -     -
cases.schedule                  -     -       -      -     -     -
cases.mark_discussed            -     -       -      -     -     -
cases.close                     yes   yes     yes    -     -     -
cases.manage_panel              -     -       -      -     -     -
cases.read_discussion           yes   yes     yes    -     -     -
cases.contribute                yes   yes     yes    -     -     -
cases.request_info              -     -       -      -     -     -
cases.view_recommendation_draft -     -       -      -     -     -
cases.draft_recommendation      -     -       -      -     -     -
cases.sign_recommendation       -     -       -      -     -     -
cases.download_report           yes   yes     yes    -     -     -
cases.render_report             yes   yes     yes    -     -     -
"""
#: The cases app's checks that take no case.
CASE_ROLE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "case_create": can_create_case,
    "queue": can_use_queue,
    "templates_configure": can_configure_templates,
    "figures": lambda user: FiguresPolicy.can(user, FiguresAction.VIEW),
}
#: Those, and every action on a case: the case and panel actions, and any rule added to RULES.
CaseMatrixAction = StrEnum(  # type: ignore[misc]
    "CaseMatrixAction",
    [(name.upper(), name) for name in dict.fromkeys([*CASE_ROLE_CHECKS, *CaseAction, *PanelAction, *RULES])],
)


def _case_check(user: Any, action: str) -> bool:
    """A check of the cases app: by role alone, or on a case of the user's hospital in a status that allows
    the action (a draft where drafts qualify), whose patient has a valid care consent."""
    if action in CASE_ROLE_CHECKS:
        return CASE_ROLE_CHECKS[action](user)
    rule = RULES.get(action)
    states = (rule.states if rule else None) or frozenset(CaseStatus)
    status = CaseStatus.DRAFT if CaseStatus.DRAFT in states else sorted(states)[0]
    case = Case(
        hospital_id=getattr(user, "hospital_id", None), status=status, patient=Patient(has_care_consent=True)
    )
    return CasePolicy.can(user, action, case)


_case_check.module = "concilium.cases.permissions"  # type: ignore[attr-defined]

#: Each app's permission check and its actions; the keys name the rows of POLICY_MATRIX.
POLICIES: dict[str, tuple[Callable[[Any, Any], bool], type[Any]]] = {
    "helpdesk": (helpdesk_can, HelpdeskAction),
    "accounts": (account_can, AccountAction),
    "directory": (ClinicianPolicy.can, DirectoryAction),
    "scheduling": (ExpertGroupPolicy.can, GroupAction),
    "audit": (AuditEventPolicy.can, AuditAction),
    "outbox": (OutboxPolicy.can, OutboxAction),
    "patients": (PatientPolicy.can, PatientAction),
    "cases": (_case_check, CaseMatrixAction),
}
ROLE_COLUMNS = {
    "clin": Role.CLINICIAN,
    "expert": Role.EXPERT,
    "coord": Role.COORDINATOR,
    "help": Role.HELPDESK,
    "data": Role.DATA_MANAGER,
    "admin": Role.NETWORK_ADMIN,
}


def _policy_cells() -> Iterator[tuple[str, str, Role, bool]]:
    header, *lines = [line.split() for line in POLICY_MATRIX.strip().splitlines()]
    assert header[1:] == list(ROLE_COLUMNS)
    for action, *cells in lines:
        app, _, name = action.partition(".")
        for column, cell in zip(header[1:], cells, strict=True):
            yield app, name, ROLE_COLUMNS[column], cell == "yes"


POLICY_CELLS = list(_policy_cells())


def _check(app: str, action: str, user: Any) -> bool:
    can, actions = POLICIES[app]
    return can(user, actions(action))


def test_every_permissions_module_of_the_project_is_in_the_policy_matrix():
    modules = {
        f"{config.name}.permissions"
        for config in apps.get_app_configs()
        if config.name.startswith("concilium.") and find_spec(f"{config.name}.permissions")
    }
    # A policy's `can` is inherited from core.policy: the module is the policy class's.
    checked = {
        getattr(check, "module", None) or getattr(check, "__self__", check).__module__
        for check, _ in POLICIES.values()
    }
    assert modules == checked


def test_every_action_of_every_permissions_module_has_a_row():
    listed = {(app, action) for app, action, _, _ in POLICY_CELLS}
    assert listed == {(app, action.value) for app, (_, actions) in POLICIES.items() for action in actions}


@pytest.mark.parametrize(
    ("app", "action", "role", "allowed"),
    POLICY_CELLS,
    ids=[
        f"{role}-{app}.{action}-{'allowed' if allowed else 'refused'}"
        for app, action, role, allowed in POLICY_CELLS
    ],
)
def test_each_role_holds_the_actions_the_policy_matrix_gives_it(app, action, role, allowed, home_hospital):
    user = UserFactory(role=role, hospital=home_hospital)
    assert _check(app, action, user) is allowed


@pytest.mark.parametrize("status", [AccountStatus.PENDING, AccountStatus.REJECTED, AccountStatus.SUSPENDED])
def test_an_account_that_is_not_active_holds_no_action_whatever_its_role(status, home_hospital):
    for app, action, role, _ in POLICY_CELLS:
        user = UserFactory.build(role=role, status=status, is_active=False, hospital=home_hospital)
        assert _check(app, action, user) is False, (app, action, role)


def test_nobody_signed_out_holds_any_action():
    for app, action, _, _ in POLICY_CELLS:
        assert _check(app, action, AnonymousUser()) is False, (app, action)
