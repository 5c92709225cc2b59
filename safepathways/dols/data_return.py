"""The annual DoLS data return: one row per application active in the year, in the published field layout.

Field definitions: NHS Digital DoLS collection guidance 2023-24, "Codes for completion" and the Adult
Social Care Data Dictionary (domain-reference §1.4). Court of Protection cases are a different model and
never appear here, as the guidance asks. The rows are checked before any export; each problem names the row.
"""

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from django.db.models import Prefetch

from safepathways.core.identifiers import is_valid_nhs_number
from safepathways.dols.models import Assessment, DolsRequest, DolsSettings, RequestStatusName, Requirement

HEADERS = [
    "Application Reference",
    "Person Reference",
    "LA Code",
    "CQC Location Code",
    "Date Application Received",
    "Urgent Included",
    "Age Requirement",
    "Mental Health Requirement",
    "Mental Capacity Requirement",
    "No Refusals Requirement",
    "Eligibility Requirement",
    "Best Interests Requirement",
    "Date Of Last Assessment",
    "Application Sign Off Date",
    "Application Status",
    # UNCONFIRMED as return fields (seen in the published outputs, domain-reference §1.4).
    "Authorisation Start Date",
    "Authorisation End Date",
    "Reason Not Granted",
]
# The order of the six requirement columns above.
REQUIREMENT_COLUMNS = [
    Requirement.AGE,
    Requirement.MENTAL_HEALTH,
    Requirement.MENTAL_CAPACITY,
    Requirement.NO_REFUSALS,
    Requirement.ELIGIBILITY,
    Requirement.BEST_INTERESTS,
]
# Application status: the return's code list is UNCONFIRMED (source truncated). These words are ours,
# one per outcome the published analysis uses; replace them with the codes once confirmed.
STATUS_WORDS = {
    RequestStatusName.RECEIVED: "Not yet completed",
    RequestStatusName.SCREENED: "Not yet completed",
    RequestStatusName.ALLOCATED: "Not yet completed",
    RequestStatusName.ASSESSING: "Not yet completed",
    RequestStatusName.SIGNED_OFF: "Not yet completed",
    RequestStatusName.GRANTED: "Granted",
    RequestStatusName.SUSPENDED: "Granted",
    RequestStatusName.REINSTATED: "Granted",
    RequestStatusName.TERMINATED: "Granted",
    RequestStatusName.EXPIRED: "Granted",
    RequestStatusName.NOT_GRANTED: "Not granted",
    RequestStatusName.WITHDRAWN: "Withdrawn",
}

Row = list[str | int | date | None]


@dataclass(frozen=True)
class RowError:
    row: int
    reference: str
    field: str
    message: str


@dataclass
class ReturnReport:
    year: int
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    general_errors: list[str] = field(default_factory=list)
    person_ids: list[UUID] = field(default_factory=list)
    request_ids: list[UUID] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}"

    @property
    def is_valid(self) -> bool:
        return not self.errors and not self.general_errors


def current_return_year(today: date) -> int:
    """The financial year (1 April to 31 March) that contains `today`, by its first calendar year."""
    return today.year if today.month >= 4 else today.year - 1


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 4, 1), date(year + 1, 3, 31)


def application_reference(la_code: str, person_reference: str, year: int, index: int) -> str:
    """LA code + Person Reference + the year's last two digits (e.g. "24" for 2023-24) + the DoLS index."""
    return f"{la_code}{person_reference}{(year + 1) % 100:02d}{index}"


def build(year: int) -> ReturnReport:
    """Every application active at any point in the year, as return rows, with the problems found in them."""
    settings_row, _ = DolsSettings.objects.get_or_create(id=1)
    start, end = year_bounds(year)
    report = ReturnReport(year=year)
    if settings_row.has_placeholder_la_code:
        report.general_errors.append(
            "The LA (CASSR) code is the placeholder 000: an administrator must set it in DoLS settings"
        )
    requests = (
        DolsRequest.objects.active_in_year(start, end)
        .select_related("person", "managing_authority", "authorisation")
        .prefetch_related(
            Prefetch(
                "assessments", queryset=Assessment.objects.only("request_id", "requirement", "outcome", "completed_on")
            )
        )
        .order_by("received_on", "reference")
    )
    for number, dols_request in enumerate(requests, start=1):
        report.rows.append(_row(dols_request, settings_row.la_code, year))
        report.errors.extend(_check(number, dols_request))
        report.person_ids.append(dols_request.person_id)
        report.request_ids.append(dols_request.pk)
    return report


def _row(dols_request: DolsRequest, la_code: str, year: int) -> Row:
    person = dols_request.person
    outcomes = {a.requirement: a.outcome for a in dols_request.assessments.all()}
    last = max((a.completed_on for a in dols_request.assessments.all() if a.completed_on), default=None)
    authorisation = getattr(dols_request, "authorisation", None)
    return [
        application_reference(la_code, person.reference, year, dols_request.person_index),
        person.reference,
        la_code,
        dols_request.managing_authority.cqc_location_id,
        dols_request.received_on,
        1 if dols_request.is_urgent else 0,
        *[outcomes.get(requirement, 0) for requirement in REQUIREMENT_COLUMNS],
        last,
        dols_request.signed_off_on,
        STATUS_WORDS[RequestStatusName(dols_request.status)],
        authorisation.starts_on if authorisation else None,
        authorisation.ends_on if authorisation else None,
        dols_request.get_not_granted_reason_display() if dols_request.not_granted_reason else None,
    ]


def _check(number: int, dols_request: DolsRequest) -> list[RowError]:
    errors: list[RowError] = []

    def problem(field_name: str, message: str) -> None:
        errors.append(RowError(number, dols_request.reference, field_name, message))

    person = dols_request.person
    if (person.nhs_number and person.reference == person.nhs_number) or is_valid_nhs_number(person.reference):
        problem("Person Reference", "The person reference must not be an NHS number")
    if not dols_request.managing_authority.cqc_location_id:
        problem("CQC Location Code", f"{dols_request.managing_authority.name} has no CQC location ID")
    assessments = list(dols_request.assessments.all())
    if len(assessments) != len(REQUIREMENT_COLUMNS):
        problem("Requirements", "The application does not have all six requirements")
    for assessment in assessments:
        if assessment.completed_on and assessment.completed_on < dols_request.received_on:
            problem(
                f"{assessment.get_requirement_display()} Requirement", "Assessed before the application was received"
            )
    if dols_request.signed_off_on and dols_request.signed_off_on < dols_request.received_on:
        problem("Application Sign Off Date", "Signed off before the application was received")
    is_granted = STATUS_WORDS[RequestStatusName(dols_request.status)] == "Granted"
    if is_granted and not dols_request.signed_off_on:
        problem("Application Sign Off Date", "A granted application needs its sign-off date")
    return errors
