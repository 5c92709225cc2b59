from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from safepathways.accounts.models import Team
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people.codes import AlertKind
from safepathways.people.models import Alert, ChronologyEntry, Person
from safepathways.providers.models import Location, Provider, ProviderConcern
from safepathways.safeguarding import selectors, services
from safepathways.safeguarding.models import (
    Concern,
    ConcernSource,
    ConcernStatus,
    ConcernStatusName,
    Decision,
    Enquiry,
    EnquiryAction,
    SafeguardingSettings,
    StrategyDiscussion,
)
from safepathways.safeguarding.tests.conftest import TESTS_MET, details, yesterday
from safepathways.work import services as work_services
from safepathways.work.models import WorkItem, WorkKind


def _state() -> tuple[int, ...]:
    return (
        Concern.objects.count(),
        ConcernStatus.objects.count(),
        Enquiry.objects.count(),
        Alert.objects.count(),
        ProviderConcern.objects.count(),
        WorkItem.objects.count(),
        AuditEvent.objects.count(),
        ChronologyEntry.objects.count(),
    )


# The decision timescale ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2025, 6, 2), date(2025, 6, 4)),  # Monday -> Wednesday
        (date(2025, 6, 6), date(2025, 6, 10)),  # Friday -> Tuesday, over the weekend
        (date(2025, 6, 7), date(2025, 6, 10)),  # Saturday -> Tuesday
        (date(2025, 4, 17), date(2025, 4, 23)),  # Thursday before Good Friday and Easter Monday
        (date(2025, 12, 24), date(2025, 12, 30)),  # Christmas Day, Boxing Day and a weekend
        (date(2026, 8, 28), date(2026, 9, 2)),  # Friday before the August bank holiday
    ],
)
def test_decision_is_due_two_working_days_after_receipt(db: None, received: date, due: date) -> None:
    assert services.decision_due_on(received) == due


def test_the_decision_timescale_is_local_configuration(db: None) -> None:
    SafeguardingSettings.objects.filter(id=1).update(decision_working_days=5)
    assert services.decision_due_on(date(2025, 6, 2)) == date(2025, 6, 9)


def test_the_settings_row_is_seeded_by_migration(db: None) -> None:
    settings = SafeguardingSettings.objects.get(id=1)
    assert (settings.decision_working_days, settings.team_slug) == (2, "safeguarding")


# Raising a concern ---------------------------------------------------------------------------------------


def test_raising_a_concern_opens_safeguarding_work_for_the_team(
    concern: Concern, safeguarding_team: Team, social_worker: Persona
) -> None:
    item = concern.work_item
    assert (item.kind, item.team, item.priority) == (WorkKind.SAFEGUARDING, safeguarding_team, "red")
    assert item.due_on == concern.decision_due_on == services.decision_due_on(timezone.localdate())
    assert concern.source == ConcernSource.STAFF
    assert concern.organisation == social_worker.team.organisation
    assert [s.name for s in concern.statuses.all()] == [ConcernStatusName.RECEIVED]
    assert concern.reference.startswith("SG")
    entry = ChronologyEntry.objects.filter(person=concern.person, category="safeguarding").get()
    assert "Bruises" not in entry.summary  # the chronology says only that a concern exists
    assert AuditEvent.objects.filter(action="safeguarding.concern_raised", target_id=str(concern.pk)).exists()


def test_a_provider_source_of_risk_must_name_the_provider(
    mary: Person, social_worker: Persona, safeguarding_team: Team
) -> None:
    before = _state()
    with pytest.raises(ApplicationError) as error:
        services.raise_concern(person=mary, by=social_worker.user, details=details(source_of_risk="service_provider"))
    assert error.value.field == "provider"
    assert _state() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"summary": " "}, "summary"),
        ({"abuse_types": []}, "abuse_types"),
        ({"abuse_types": ["shouting"]}, "abuse_types"),
        ({"location_of_risk": "moon"}, "location_of_risk"),
        ({"source_of_risk": ""}, "source_of_risk"),
        ({"received_at": timezone.now() + timedelta(days=1)}, "received_at"),
    ],
)
def test_bad_concern_details_are_refused_naming_the_field(
    mary: Person, social_worker: Persona, safeguarding_team: Team, overrides: dict[str, Any], field: str
) -> None:
    before = _state()
    with pytest.raises(ApplicationError) as error:
        services.raise_concern(person=mary, by=social_worker.user, details=details(**overrides))
    assert error.value.field == field
    assert _state() == before


def test_a_location_must_belong_to_the_provider(
    mary: Person, social_worker: Persona, safeguarding_team: Team, provider: Provider, care_home: Location
) -> None:
    other = Provider.objects.create(name="Other Care")
    with pytest.raises(ApplicationError) as error:
        services.raise_concern(
            person=mary,
            by=social_worker.user,
            details=details(source_of_risk="service_provider", provider=other, provider_location=care_home),
        )
    assert error.value.field == "provider_location"


def test_a_director_cannot_raise_a_concern(mary: Person, director: Persona, safeguarding_team: Team) -> None:
    with pytest.raises(ApplicationError):
        services.raise_concern(person=mary, by=director.user, details=details())


def test_without_a_safeguarding_team_nothing_is_saved(mary: Person, social_worker: Persona) -> None:
    before = _state()
    with pytest.raises(ApplicationError, match="No safeguarding team"):
        services.raise_concern(person=mary, by=social_worker.user, details=details())
    assert _state() == before


def test_front_door_work_is_picked_up_with_its_receipt_time(
    mary: Person, lead: Persona, safeguarding_team: Team
) -> None:
    opened = timezone.now() - timedelta(days=3)
    item = work_services.open_work(
        person=mary,
        kind=WorkKind.SAFEGUARDING,
        team=safeguarding_team,
        title="Safeguarding concern (front door FD0000001)",
        by=lead.user,
        story="Neighbour reports shouting and no food in the house",
        opened_at=opened,
    )
    assert list(selectors.front_door_work_awaiting_concern()) == [item]
    concern = services.record_concern_from_work(work_item=item, by=lead.user, details=details(summary=item.story))
    assert (concern.work_item, concern.source, concern.received_at) == (item, ConcernSource.FRONT_DOOR, opened)
    assert concern.decision_due_on == services.decision_due_on(timezone.localdate(opened))
    assert WorkItem.objects.count() == 1
    assert list(selectors.front_door_work_awaiting_concern()) == []
    with pytest.raises(ApplicationError, match="already recorded"):
        services.record_concern_from_work(work_item=item, by=lead.user, details=details())


def test_only_safeguarding_work_is_picked_up(mary: Person, lead: Persona, safeguarding_team: Team) -> None:
    item = work_services.open_work(person=mary, kind=WorkKind.REVIEW, team=safeguarding_team, title="x", by=None)
    with pytest.raises(ApplicationError, match="not open safeguarding work"):
        services.record_concern_from_work(work_item=item, by=lead.user, details=details())


# The s42(1) decision --------------------------------------------------------------------------------------


def _tests(**overrides: Any) -> services.Section42Tests:
    data = {**TESTS_MET.__dict__, **overrides}
    return services.Section42Tests(**data)


@pytest.mark.parametrize(
    "failed", ["has_care_and_support_needs", "is_experiencing_or_at_risk", "is_unable_to_protect_self"]
)
def test_a_section_42_enquiry_needs_all_three_tests(concern: Concern, lead: Persona, failed: str) -> None:
    before = _state()
    with pytest.raises(ApplicationError) as error:
        services.decide_concern(
            concern=concern, by=lead.user, tests=_tests(**{failed: False}), decision="section_42", decision_reason="x"
        )
    assert error.value.field == "decision"
    assert _state() == before


def test_an_other_enquiry_when_a_test_is_not_met(concern: Concern, lead: Persona) -> None:
    decided = services.decide_concern(
        concern=concern,
        by=lead.user,
        tests=_tests(has_care_and_support_needs=False, care_and_support_needs_reason="A carer, no own needs"),
        decision=Decision.OTHER_ENQUIRY,
        decision_reason="Proportionate to enquire",
    )
    assert (decided.status, decided.decision, decided.has_care_and_support_needs) == ("decided", "other_enquiry", False)


@pytest.mark.parametrize("decision", [Decision.OTHER_ENQUIRY, Decision.NO_FURTHER_ACTION])
def test_when_all_three_tests_are_met_the_duty_applies(concern: Concern, lead: Persona, decision: str) -> None:
    with pytest.raises(ApplicationError, match="duty to enquire applies") as error:
        services.decide_concern(concern=concern, by=lead.user, tests=TESTS_MET, decision=decision, decision_reason="x")
    assert error.value.field == "decision"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"has_care_and_support_needs": None}, "has_care_and_support_needs"),
        ({"experiencing_or_at_risk_reason": " "}, "experiencing_or_at_risk_reason"),
        ({"unable_to_protect_self_reason": ""}, "unable_to_protect_self_reason"),
    ],
)
def test_each_test_needs_an_answer_and_a_reason(
    concern: Concern, lead: Persona, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ApplicationError) as error:
        services.decide_concern(
            concern=concern, by=lead.user, tests=_tests(**overrides), decision="section_42", decision_reason="x"
        )
    assert error.value.field == field


def test_no_further_action_closes_the_concern_and_its_work(concern: Concern, lead: Persona) -> None:
    decided = services.decide_concern(
        concern=concern,
        by=lead.user,
        tests=_tests(is_unable_to_protect_self=False, unable_to_protect_self_reason="Has capacity and support"),
        decision=Decision.NO_FURTHER_ACTION,
        decision_reason="Signposted to advocacy",
    )
    assert [s.name for s in decided.statuses.order_by("created_at")] == ["received", "decided", "closed"]
    assert decided.closed_at is not None
    decided.work_item.refresh_from_db()
    assert decided.work_item.closed_at is not None


def test_only_the_safeguarding_team_decides(concern: Concern, social_worker: Persona) -> None:
    before = _state()
    with pytest.raises(ApplicationError, match="Only the safeguarding team"):
        services.decide_concern(
            concern=concern, by=social_worker.user, tests=TESTS_MET, decision="section_42", decision_reason="x"
        )
    assert _state() == before


def test_a_concern_is_decided_once(decided: Concern, lead: Persona) -> None:
    with pytest.raises(ApplicationError, match="cannot become decided"):
        services.decide_concern(
            concern=decided, by=lead.user, tests=TESTS_MET, decision="section_42", decision_reason="x"
        )


# Transitions -----------------------------------------------------------------------------------------------


def test_an_enquiry_cannot_open_before_the_decision(concern: Concern, lead: Persona) -> None:
    with pytest.raises(ApplicationError, match="cannot become enquiry open"):
        services.open_enquiry(concern=concern, by=lead.user, officer=lead.user, started_on=timezone.localdate())


def test_a_concern_cannot_close_while_its_enquiry_is_open(enquiry: Enquiry, lead: Persona) -> None:
    with pytest.raises(ApplicationError, match="cannot become closed"):
        services.close_concern(concern=enquiry.concern, by=lead.user, reason="Done")


def test_no_further_action_cannot_open_an_enquiry(concern: Concern, lead: Persona) -> None:
    services.decide_concern(
        concern=concern,
        by=lead.user,
        tests=_tests(is_unable_to_protect_self=False),
        decision=Decision.NO_FURTHER_ACTION,
        decision_reason="x",
    )
    with pytest.raises(ApplicationError):
        services.open_enquiry(concern=concern, by=lead.user, officer=lead.user, started_on=timezone.localdate())


# The enquiry: alert, provider concern, dates ---------------------------------------------------------


def test_opening_an_enquiry_raises_the_alert_owned_by_the_officer(
    enquiry: Enquiry, safeguarding_worker: Persona
) -> None:
    alert = Alert.objects.get(person=enquiry.concern.person, kind=AlertKind.SAFEGUARDING_OPEN)
    assert (alert.owner, alert.ended_at, enquiry.alert) == (safeguarding_worker.user, None, alert)
    assert alert.review_on == timezone.localdate() + timedelta(days=28)
    assert enquiry.concern.status == ConcernStatusName.ENQUIRY_OPEN
    assert not ProviderConcern.objects.exists()  # the source of risk is not a provider


def test_a_provider_source_raises_a_provider_concern(
    mary: Person,
    social_worker: Persona,
    lead: Persona,
    safeguarding_team: Team,
    provider: Provider,
    care_home: Location,
) -> None:
    concern = services.raise_concern(
        person=mary,
        by=social_worker.user,
        details=details(
            source_of_risk="service_provider",
            location_of_risk="care_home_residential",
            provider=provider,
            provider_location=care_home,
        ),
    )
    services.decide_concern(concern=concern, by=lead.user, tests=TESTS_MET, decision="section_42", decision_reason="x")
    services.open_enquiry(concern=concern, by=lead.user, officer=lead.user, started_on=timezone.localdate())
    provider_concern = ProviderConcern.objects.get()
    assert (provider_concern.provider, provider_concern.location, provider_concern.source) == (
        provider,
        care_home,
        "safeguarding_enquiry",
    )
    assert list(provider_concern.people.all()) == [mary]


def test_a_refused_enquiry_leaves_no_alert_and_no_provider_concern(decided: Concern, lead: Persona) -> None:
    before = _state()
    with pytest.raises(ApplicationError) as error:
        services.open_enquiry(concern=decided, by=lead.user, officer=lead.user, started_on=yesterday())
    assert error.value.field == "started_on"
    assert "cannot start before the decision" in error.value.message
    assert _state() == before


def test_an_enquiry_cannot_start_in_the_future(decided: Concern, lead: Persona) -> None:
    with pytest.raises(ApplicationError, match="today or in the past"):
        services.open_enquiry(
            concern=decided, by=lead.user, officer=lead.user, started_on=timezone.localdate() + timedelta(days=1)
        )


def test_the_officer_must_be_a_council_practitioner(decided: Concern, lead: Persona, partner: Persona) -> None:
    with pytest.raises(ApplicationError) as error:
        services.open_enquiry(concern=decided, by=lead.user, officer=partner.user, started_on=timezone.localdate())
    assert error.value.field == "officer"


def test_strategy_discussion_dates_are_checked(enquiry: Enquiry, safeguarding_worker: Persona) -> None:
    received = timezone.localdate(enquiry.concern.received_at)
    with pytest.raises(ApplicationError) as error:
        services.record_strategy_discussion(
            enquiry=enquiry,
            by=safeguarding_worker.user,
            held_on=received - timedelta(days=1),
            attendees="Police",
            decisions="x",
        )
    assert error.value.field == "held_on"
    services.record_strategy_discussion(
        enquiry=enquiry,
        by=safeguarding_worker.user,
        held_on=received,
        attendees="Police, GP",
        decisions="Joint visit",
    )
    assert StrategyDiscussion.objects.count() == 1


def test_an_action_is_not_due_before_the_enquiry_started(enquiry: Enquiry, safeguarding_worker: Persona) -> None:
    with pytest.raises(ApplicationError) as error:
        services.add_enquiry_action(
            enquiry=enquiry, by=safeguarding_worker.user, description="Visit", owner_name="Gita", due_on=yesterday()
        )
    assert error.value.field == "due_on"


def test_a_caused_enquiry_names_the_agency(enquiry: Enquiry, safeguarding_worker: Persona) -> None:
    with pytest.raises(ApplicationError) as error:
        services.add_enquiry_action(
            enquiry=enquiry,
            by=safeguarding_worker.user,
            description="Investigate staffing",
            owner_name="Home manager",
            due_on=timezone.localdate(),
            is_caused_enquiry=True,
        )
    assert error.value.field == "agency"
    action = services.add_enquiry_action(
        enquiry=enquiry,
        by=safeguarding_worker.user,
        description="Investigate staffing",
        owner_name="Home manager",
        agency="Sunrise Care Ltd",
        due_on=timezone.localdate() + timedelta(days=10),
        is_caused_enquiry=True,
    )
    assert EnquiryAction.objects.get() == action


def test_another_practitioner_cannot_work_the_enquiry(enquiry: Enquiry, social_worker: Persona) -> None:
    with pytest.raises(ApplicationError, match="enquiry officer"):
        services.add_enquiry_action(
            enquiry=enquiry, by=social_worker.user, description="x", owner_name="x", due_on=timezone.localdate()
        )


def test_desired_outcomes_are_needed_when_expressed(enquiry: Enquiry, safeguarding_worker: Persona) -> None:
    with pytest.raises(ApplicationError) as error:
        services.record_making_safeguarding_personal(
            enquiry=enquiry, by=safeguarding_worker.user, details=services.PersonalDetails(msp_asked="expressed")
        )
    assert error.value.field == "desired_outcomes"


def test_an_appointed_advocate_is_named(enquiry: Enquiry, safeguarding_worker: Persona) -> None:
    with pytest.raises(ApplicationError) as error:
        services.record_making_safeguarding_personal(
            enquiry=enquiry,
            by=safeguarding_worker.user,
            details=services.PersonalDetails(msp_asked="no", needs_advocate=True, advocate_appointed=True),
        )
    assert error.value.field == "advocate_name"


def _outcome(**overrides: Any) -> services.Outcome:
    data: dict[str, Any] = {
        "risk_finding": "identified",
        "action_taken": True,
        "risk_result": "reduced",
        "msp_achieved": "partially",
        "outcome_summary": "Carer changed",
        "concluded_on": timezone.localdate(),
    }
    data.update(overrides)
    return services.Outcome(**data)


def test_an_enquiry_concludes_only_after_msp_is_recorded(enquiry: Enquiry, safeguarding_worker: Persona) -> None:
    with pytest.raises(ApplicationError) as error:
        services.conclude_enquiry(enquiry=enquiry, by=safeguarding_worker.user, outcome=_outcome())
    assert error.value.field == "msp_asked"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"risk_result": ""}, "risk_result"),
        ({"action_taken": False}, "risk_result"),
        ({"msp_achieved": ""}, "msp_achieved"),
        ({"concluded_on": date(2000, 1, 1)}, "concluded_on"),
        ({"concluded_on": date(2100, 1, 1)}, "concluded_on"),
        ({"risk_finding": "maybe"}, "risk_finding"),
    ],
)
def test_bad_outcomes_are_refused(
    personal_recorded: Enquiry, safeguarding_worker: Persona, overrides: dict[str, Any], field: str
) -> None:
    before = _state()
    with pytest.raises(ApplicationError) as error:
        services.conclude_enquiry(enquiry=personal_recorded, by=safeguarding_worker.user, outcome=_outcome(**overrides))
    assert error.value.field == field
    assert _state() == before


def test_closing_ends_the_alert_and_the_work(concluded: Enquiry, lead: Persona) -> None:
    concern = services.close_concern(concern=concluded.concern, by=lead.user, reason="Risk reduced; plan in place")
    alert = Alert.objects.get(pk=concluded.alert_id)
    assert alert.ended_at is not None
    assert concern.status == ConcernStatusName.CLOSED
    assert WorkItem.objects.get(pk=concern.work_item_id).closed_at is not None
    assert [s.name for s in concern.statuses.order_by("created_at")] == [
        "received",
        "decided",
        "enquiry_open",
        "enquiry_concluded",
        "closed",
    ]


def test_an_enquiry_officer_closes_nothing(
    concluded: Enquiry, safeguarding_worker: Persona, social_worker: Persona
) -> None:
    with pytest.raises(ApplicationError, match="Only the safeguarding team"):
        services.close_concern(concern=concluded.concern, by=social_worker.user, reason="x")


# The Safeguarding Adults Collection -------------------------------------------------------------------------


def test_sac_tables_count_people_once_and_concluded_s42_enquiries(concluded: Enquiry) -> None:
    year = selectors.financial_year_of(timezone.localdate())
    result = selectors.sac_return(year)
    tables = {t.title: {row[0]: row[1] for row in t.rows} for t in result.tables}
    assert tables["SG1 Case counts"] == {
        "Safeguarding concerns raised": 1,
        "Section 42 enquiries commenced": 1,
        "Other enquiries commenced": 0,
    }
    assert tables["SG1 Concerns by gender"]["Female"] == 1
    assert tables["SG1 s42 enquiries by age band"]["75-84"] + tables["SG1 s42 enquiries by age band"]["85-94"] == 1
    assert tables["SG2 Type of risk"]["Physical"] == 1
    assert tables["SG2 Type of risk"]["Neglect and Acts of Omission"] == 1
    assert tables["SG2 Location of risk"]["Own Home"] == 1
    assert tables["SG3 Risk assessment outcome"]["Risk identified and action taken"] == 1
    assert tables["SG3 Where action was taken, the risk"]["Risk reduced"] == 1
    assert tables["SG4 Expressed outcomes achieved"]["Partially achieved"] == 1
    assert selectors.sac_return(year - 1).tables[-8].rows[0][1] == 0


@pytest.mark.parametrize(
    ("born", "died", "band"),
    [
        (date(1960, 4, 1), None, "65-74"),
        (date(1961, 4, 1), None, "18-64"),  # 64 on 31 March 2026
        (date(1930, 1, 1), date(2025, 6, 1), "95+"),
        (date(1930, 1, 1), date(2024, 12, 1), "85-94"),  # age at death
        (None, None, "Age unknown"),
    ],
)
def test_sg1_age_is_taken_at_the_end_of_the_year_or_at_death(born: date | None, died: date | None, band: str) -> None:
    assert selectors.sg1_age_band(born, died, date(2026, 3, 31)) == band


def test_financial_year(db: None) -> None:
    assert selectors.financial_year_of(date(2026, 3, 31)) == 2025
    assert selectors.financial_year_of(date(2026, 4, 1)) == 2026
