"""Every message is written in its reader's language, whatever language the person who caused it reads."""

from email.header import decode_header, make_header

import pytest
from django.utils import translation

from concilium.notifications.models import Notification
from concilium.notifications.services import notification_deliver, notification_enqueue
from tests.factories import UserFactory
from tests.notifications.support import SmtpServer, SmtpSink, free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp(settings):  # type: ignore[no-untyped-def]
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    server = SmtpServer(port, SmtpSink()).start()
    yield server.sink
    server.stop()


def _german(msgid: str, **values: str) -> str:
    with translation.override("de"):
        text = translation.gettext(msgid)
    return text % values if values else text


def test_a_german_reader_gets_the_email_and_the_in_app_notice_in_german(smtp) -> None:
    greta = UserFactory(email="greta@klinik.example", full_name="Dr Greta Gruber", language="de")
    with translation.override("fr"):  # the person acting reads French
        email, notice = notification_enqueue(
            app="accounts",
            recipient=greta,
            kind="password_changed",
            context={"helpdesk_email": "h@x.example"},
        )
    subject = _german("Your Concilium password was changed")
    greeting = _german("Hello %(name)s,", name="Greta")
    # The .po already holds these: the test checks real German, not only that a language was switched.
    assert (subject, greeting) == ("Ihr Concilium-Passwort wurde geändert", "Guten Tag Greta,")
    for message in (email, notice):
        assert message.language == "de"
        assert message.subject == subject
        assert message.body.startswith(greeting)
    assert notice.channel == Notification.Channel.IN_APP

    assert notification_deliver(notification_id=email.pk) == "sent"
    (received,) = smtp.messages
    assert str(make_header(decode_header(received["Subject"]))) == subject
    assert received["Content-Language"] == "de"
    assert greeting in received.get_payload(decode=True).decode()


def test_a_reader_who_never_chose_gets_the_sites_language(smtp) -> None:
    newcomer = UserFactory(email="new@klinik.example", language="")
    with translation.override("de"):
        (email,) = notification_enqueue(
            app="accounts",
            recipient=newcomer,
            kind="password_changed",
            context={"helpdesk_email": "h@x.example"},
            channels=(Notification.Channel.EMAIL,),
        )
    assert email.language == "en"
    assert email.subject == "Your Concilium password was changed"
