"""Coordinator figures: counts, waiting times and thin panels per group and network, as a page and as CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concilium.cases.figures import case_figures
from concilium.cases.models import Case, CaseStatus, Contribution
from concilium.cases.permissions import FiguresPolicy
from concilium.core.roles import Role
from tests.factories import (
    CaseFactory,
    ExpertGroupFactory,
    GroupMembershipFactory,
    NetworkFactory,
    PatientFactory,
    UserFactory,
)

URL = reverse("cases:figures")


@pytest.fixture
def groups(db: None):
    network = NetworkFactory(name="ERN PaedCan", code="ern-paedcan")
    brain = ExpertGroupFactory(name="Brain Tumour", network=network)
    ewing = ExpertGroupFactory(name="Ewing Sarcoma", network=network)
    return brain, ewing


@pytest.fixture
def brain_coordinator(groups, home_hospital):  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.COORDINATOR, hospital=home_hospital, email="lead@brain.example")
    GroupMembershipFactory(group=groups[0], user=user, role="coordinator")
    return user


def make_case(group, status: str, *, days_ago: int = 10, contributions: int = 0, **times) -> Case:  # type: ignore[no-untyped-def]
    patient = PatientFactory(care_consent=True)
    submitted = timezone.now() - timedelta(days=days_ago)
    case = CaseFactory(
        patient=patient,
        group=group,
        status=status,
        submitted_at=None if status == CaseStatus.DRAFT else submitted,
        decline_reason="Outside the group's remit" if status == CaseStatus.DECLINED else "",
        **{name: submitted + delay for name, delay in times.items()},
    )
    for _ in range(contributions):
        Contribution.objects.create(case=case, author=case.requester, body="An opinion")
    return case


def test_figures_count_requests_decisions_and_mean_times_per_group(groups) -> None:  # type: ignore[no-untyped-def]
    brain, ewing = groups
    make_case(brain, CaseStatus.SUBMITTED)
    make_case(brain, CaseStatus.DECLINED)
    make_case(brain, CaseStatus.SCHEDULED, discussion_on=timedelta(days=4))
    make_case(
        brain,
        CaseStatus.SIGNED,
        contributions=3,
        discussion_on=timedelta(days=6),
        signed_at=timedelta(days=8),
    )
    make_case(brain, CaseStatus.DRAFT)
    make_case(
        ewing, CaseStatus.CLOSED, contributions=1, signed_at=timedelta(days=2), closed_at=timedelta(days=3)
    )
    today = timezone.localdate()

    figures = case_figures(cases=Case.objects.all(), start=today - timedelta(days=60), end=today)

    by_name = {row.group: row for row in figures.groups}
    assert (by_name["Brain Tumour"].requested, by_name["Brain Tumour"].accepted) == (4, 2)
    assert by_name["Brain Tumour"].declined == 1
    assert by_name["Brain Tumour"].waiting == timedelta(days=5)
    assert by_name["Brain Tumour"].to_signature == timedelta(days=8)
    assert by_name["Brain Tumour"].contributions_per_panel == 3.0
    assert by_name["Brain Tumour"].thin_panels == 0
    assert by_name["Ewing Sarcoma"].thin_panels == 1
    assert [row.network for row in figures.networks] == ["ERN PaedCan"]
    assert figures.networks[0].requested == 5
    assert [case["reference"] for case in figures.flagged] == [Case.objects.get(group=ewing).reference]


def test_cases_outside_the_period_are_not_counted(groups) -> None:  # type: ignore[no-untyped-def]
    make_case(groups[0], CaseStatus.SUBMITTED, days_ago=400)
    today = timezone.localdate()
    figures = case_figures(cases=Case.objects.all(), start=today - timedelta(days=30), end=today)
    assert figures.groups == []
    assert figures.months == []


def test_a_coordinator_sees_only_the_figures_of_the_groups_they_coordinate(groups, brain_coordinator) -> None:  # type: ignore[no-untyped-def]
    make_case(groups[0], CaseStatus.SUBMITTED)
    make_case(groups[1], CaseStatus.SUBMITTED)
    assert set(FiguresPolicy.cases(brain_coordinator).values_list("group__name", flat=True)) == {
        "Brain Tumour"
    }


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("requester", 403),
        ("expert", 403),
        ("helpdesk", 403),
        ("data_manager", 403),
        ("network_admin", 200),
        ("brain_coordinator", 200),
    ],
)
def test_the_figures_page_is_for_coordinators_and_network_admins(  # type: ignore[no-untyped-def]
    request, client_for, groups, persona: str, status: int
) -> None:
    make_case(groups[0], CaseStatus.SUBMITTED)
    response = client_for(request.getfixturevalue(persona)).get(URL)
    assert response.status_code == status


def test_a_coordinator_without_a_group_has_no_figures(client_for, coordinator) -> None:  # type: ignore[no-untyped-def]
    assert client_for(coordinator).get(URL).status_code == 403


def test_the_page_shows_the_groups_and_flags_thin_panels(client_for, groups, brain_coordinator) -> None:  # type: ignore[no-untyped-def]
    thin = make_case(groups[0], CaseStatus.SIGNED, contributions=1, signed_at=timedelta(days=3))
    response = client_for(brain_coordinator).get(URL)
    page = response.content.decode()
    assert "Brain Tumour" in page
    assert "Ewing Sarcoma" not in page
    assert thin.reference in page
    assert thin.patient.pseudonym not in page


def test_the_csv_export_has_one_row_per_group_and_network(client_for, groups, network_admin) -> None:  # type: ignore[no-untyped-def]
    make_case(groups[0], CaseStatus.DECLINED)
    make_case(groups[1], CaseStatus.ACCEPTED)
    response = client_for(network_admin).get(URL, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["level", "network", "group", "requested"]
    assert [(row[0], row[2], row[3], row[5]) for row in rows[1:]] == [
        ("group", "Brain Tumour", "1", "1"),
        ("group", "Ewing Sarcoma", "1", "0"),
        ("network", "", "2", "1"),
    ]


# The messages, not the codes: the form's own check (end before start) gives its error no code.
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "2026-02-30"}, "start", "Enter a valid date."),
        (
            {"start": "2026-05-01", "end": "2026-04-01"},
            "end",
            "The end of the period must not be before its start.",
        ),
    ],
)
def test_an_invalid_period_is_a_form_error(client_for, network_admin, query, field, message) -> None:  # type: ignore[no-untyped-def]
    response = client_for(network_admin).get(URL, query)
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}


def test_the_page_takes_the_same_number_of_queries_whatever_the_number_of_cases(  # type: ignore[no-untyped-def]
    client_for, groups, network_admin
) -> None:
    client = client_for(network_admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    make_case(groups[0], CaseStatus.SIGNED, contributions=1, signed_at=timedelta(days=3))
    queries()  # the first request of a session does its one-off work (session, second-factor device)
    few = queries()
    for index in range(8):
        make_case(groups[index % 2], CaseStatus.CLOSED, contributions=index % 3, signed_at=timedelta(days=2))
        make_case(groups[index % 2], CaseStatus.DECLINED, days_ago=40 + index)
    assert queries() == few


def test_a_group_name_a_spreadsheet_would_run_is_exported_as_text(client_for, groups, network_admin) -> None:  # type: ignore[no-untyped-def]
    brain, _ewing = groups
    brain.name = '=HYPERLINK("http://evil.example","Brain")'
    brain.save()
    make_case(brain, CaseStatus.ACCEPTED)
    response = client_for(network_admin).get(URL, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][2] == '\'=HYPERLINK("http://evil.example","Brain")'


def test_a_flagged_case_links_to_its_page_only_for_who_may_open_it(  # type: ignore[no-untyped-def]
    client_for, groups, network_admin, brain_coordinator
):
    thin = make_case(groups[0], CaseStatus.SIGNED, contributions=1, signed_at=timedelta(days=3))
    link = f'href="/cases/{thin.pk}/"'
    as_admin = client_for(network_admin).get(URL).content.decode()
    as_coordinator = client_for(brain_coordinator).get(URL).content.decode()
    assert thin.reference in as_admin and link not in as_admin  # the admin sees figures, never a case
    assert link in as_coordinator
