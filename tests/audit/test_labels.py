"""Audit and outbox pages name actions, object types and notification kinds for people, not by their codes."""

import csv
import io
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from concilium.audit.models import AuditEvent
from concilium.cases.permissions import CaseAction, PanelAction
from concilium.core.labels import (
    AUDIT_ACTION,
    NOTIFICATION_KIND,
    has_label,
    label_for,
    object_type_label,
    register_labels,
)
from concilium.notifications.models import Notification
from concilium.notifications.services import notification_enqueue

EVENTS = reverse("audit:events")
EXPORT = reverse("audit:export")
OUTBOX = reverse("notifications:outbox")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def test_a_declared_code_has_its_label_and_an_unknown_code_stays_as_it_is():
    assert label_for(AUDIT_ACTION, "case.submit") == "Submit a case"
    assert label_for(NOTIFICATION_KIND, "case_urgent") == "Urgent case submitted"
    assert label_for(AUDIT_ACTION, "nobody.declared_this") == "nobody.declared_this"
    assert object_type_label("accounts.user") == "User"
    assert object_type_label("not_an_app.thing") == "not_an_app.thing"


def test_every_notification_template_kind_has_a_label():
    kinds = {
        path.name.removesuffix("_subject.txt")
        for path in settings.BASE_DIR.glob("*/templates/*/notifications/*_subject.txt")
    }
    assert kinds, "no notification templates found"
    assert sorted(kind for kind in kinds if label_for(NOTIFICATION_KIND, kind) == kind) == []


def test_every_audit_action_written_in_the_code_has_a_label():
    """Actions named in the source (`action="case.submit"`, `_audit("case.create", ...)`) and the case
    actions a refusal is recorded under (`case.<action>`)."""
    pattern = re.compile(r'(?:action=|_audit\(\s*)"([a-z_0-9]+\.[a-z_0-9.]+)"')
    actions = {
        match
        for path in settings.BASE_DIR.rglob("*.py")
        if "migrations" not in path.parts
        for match in pattern.findall(path.read_text(encoding="utf-8"))
    }
    actions |= {f"case.{action}" for action in [*CaseAction, *PanelAction]}
    assert len(actions) > 50
    assert sorted(action for action in actions if not has_label(AUDIT_ACTION, action)) == []


def test_labels_follow_the_active_language():
    with translation.override("de"):
        assert label_for(AUDIT_ACTION, "auth.login") == translation.gettext("Signed in") == "Angemeldet"
        assert object_type_label("accounts.user") == "Benutzer"


def test_declaring_one_code_with_two_labels_is_refused():
    register_labels(AUDIT_ACTION, {"case.submit": "Submit a case"})  # the same label again is fine
    with pytest.raises(ValueError, match=r"case\.submit"):
        register_labels(AUDIT_ACTION, {"case.submit": "Something else"})


def test_the_audit_log_shows_labels_beside_the_codes(client_for, network_admin):
    AuditEvent.objects.create(action="account.role_changed", object_type="accounts.user", object_id="41")
    AuditEvent.objects.create(action="made_up.action", object_type="made_up.thing", object_id="7")
    page = client_for(network_admin).get(EVENTS).content.decode()
    assert "Role changed" in page
    assert '<code class="small text-secondary">account.role_changed</code>' in page
    assert 'User <span class="text-secondary">#41</span>' in page
    assert "made_up.action" in page  # no label: the code itself


def test_the_action_filter_lists_labels_grouped_by_family(client_for, network_admin):
    AuditEvent.objects.create(action="account.role_changed")
    AuditEvent.objects.create(action="account.suspended")
    form = client_for(network_admin).get(EVENTS).context["form"]
    groups = dict(form.fields["action"].choices)
    assert groups["Accounts"] == [
        ("account.*", "Accounts: every action"),
        ("account.suspended", "Account suspended"),
        ("account.role_changed", "Role changed"),
    ]


def test_the_audit_page_speaks_the_readers_language(client_for, network_admin):
    AuditEvent.objects.create(action="auth.login", object_type="accounts.user", object_id="3")
    client = client_for(network_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    page = client.get(EVENTS).content.decode()
    assert "Angemeldet" in page
    assert "Benutzer" in page


def test_the_export_carries_the_labels_after_the_codes(client_for, network_admin):
    AuditEvent.objects.create(action="account.role_changed", object_type="accounts.user", object_id="41")
    response = client_for(network_admin).get(EXPORT, {"action": "account.role_changed"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, row = rows[0], rows[1]
    assert header[-2:] == ["action_label", "object_type_label"]
    assert row[header.index("action")] == "account.role_changed"
    assert row[-2:] == ["Role changed", "User"]


def test_the_outbox_names_the_kind_of_each_message(client_for, helpdesk, requester):
    notification_enqueue(
        app="notifications",
        recipient=requester,
        kind="outbox_test",
        channels=(Notification.Channel.EMAIL,),
    )
    Notification.objects.create(
        recipient=requester, channel="email", kind="retired_kind", language="en", subject="s", body="b"
    )
    page = client_for(helpdesk).get(OUTBOX).content.decode()
    assert "Test message" in page
    assert "<code>outbox_test</code>" in page
    assert "retired_kind" in page
