"""Changes to a person's record. Each service is one transaction with its audit event."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Left, Length
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Organisation, User
from safepathways.audit import services as audit
from safepathways.audit.models import AccessBasis
from safepathways.core.errors import ApplicationError
from safepathways.core.identifiers import (
    is_valid_nhs_number,
    normalise_nhs_number,
    normalise_postcode,
    postcode_sector,
)
from safepathways.core.services import reserve_numbers
from safepathways.people.codes import AccessReason, NHSNumberStatus
from safepathways.people.models import (
    AccessGrant,
    AccessGrantKind,
    Alert,
    ChronologyEntry,
    Contact,
    GenderCode,
    Involvement,
    Neighbourhood,
    Person,
    PostcodeArea,
    ReviewOutcome,
    Risk,
    Share,
)

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "date_of_death",
    "nhs_number",
    "nhs_number_status",
    "gender",
    "ethnicity",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "email",
    "main_language",
    "needs_interpreter",
    "communication_needs",
    "about_me",
    "what_matters",
    "is_restricted",
)


class DuplicateNHSNumberError(ApplicationError):
    """Another record already holds this NHS number; `existing` is that record."""

    def __init__(self, existing: Person) -> None:
        super().__init__(
            f"Another record ({existing.reference}) already has this NHS number. Open that record instead.",
            field="nhs_number",
        )
        self.existing = existing


def format_reference(number: int) -> str:
    return f"SP{number:07d}"


def neighbourhood_for_postcode(postcode: str) -> Neighbourhood | None:
    """The neighbourhood whose postcode prefix is the longest match (sector beats district)."""
    if not postcode:
        return None
    sector = postcode_sector(postcode)
    district = postcode.split(" ")[0]
    areas = {
        a.prefix: a for a in PostcodeArea.objects.filter(prefix__in=[sector, district]).select_related("neighbourhood")
    }
    match = areas.get(sector) or areas.get(district)
    return match.neighbourhood if match else None


# NHS Number Verification Status codes that say a number is held, and the one that says none is (codes.py).
NHS_NUMBER_PRESENT = frozenset({NHSNumberStatus.VERIFIED, NHSNumberStatus.NOT_TRACED})
NHS_NUMBER_NOT_PRESENT = frozenset({NHSNumberStatus.NOT_REQUIRED})


def _check_nhs_number_status(cleaned: dict[str, Any], existing: Person | None) -> None:
    """The status must agree with the number: "present" statuses need one, "not present" must have none."""
    number = cleaned.get("nhs_number", existing.nhs_number if existing else None)
    status = cleaned.get("nhs_number_status") or (
        existing.nhs_number_status if existing else NHSNumberStatus.TRACE_REQUIRED
    )
    if status in NHS_NUMBER_PRESENT and not number:
        raise ApplicationError(
            f"The status “{NHSNumberStatus(status).label}” needs an NHS number: enter the number, or choose "
            "a status that says there is none yet",
            field="nhs_number_status",
        )
    if status in NHS_NUMBER_NOT_PRESENT and number:
        raise ApplicationError(
            f"The status “{NHSNumberStatus(status).label}” says there is no NHS number: remove the number, "
            "or choose a status for a number that is present",
            field="nhs_number_status",
        )


def date_problem(name: str, value: date | None, *, today: date) -> str:
    """What is wrong with a date of birth or death by itself ("" if nothing): the web form and the API ask this
    before the service does, so that they report it beside every other field's problem."""
    if value is None:
        return ""
    label = "Date of birth" if name == "date_of_birth" else "Date of death"
    if value > today:
        return f"{label} must be today or in the past"
    if name == "date_of_birth" and value < date(today.year - 130, 1, 1):
        return "Date of birth must be within the last 130 years"
    return ""


def _validate_person_data(data: dict[str, Any], *, today: date, existing: Person | None) -> dict[str, Any]:
    cleaned = dict(data)
    for name in ("given_name", "family_name"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
            if not cleaned[name]:
                label = "first name" if name == "given_name" else "last name"
                raise ApplicationError(f"Enter the person's {label}", field=name)
    if cleaned.get("nhs_number"):
        digits = normalise_nhs_number(cleaned["nhs_number"])
        if not is_valid_nhs_number(digits):
            raise ApplicationError(
                "Enter a valid NHS number: 10 digits whose last digit is the correct check digit", field="nhs_number"
            )
        cleaned["nhs_number"] = digits
        duplicate = Person.objects.filter(nhs_number=digits)
        if existing is not None:
            duplicate = duplicate.exclude(pk=existing.pk)
        other = duplicate.first()
        if other is not None:
            raise DuplicateNHSNumberError(other)
    elif "nhs_number" in cleaned:
        cleaned["nhs_number"] = None
    if "nhs_number" in cleaned or "nhs_number_status" in cleaned:
        _check_nhs_number_status(cleaned, existing)
    # An active GenderCode; a record may keep the code it holds, even one retired since (GenderCode.is_active).
    if "gender" in cleaned and not GenderCode.objects.allows(
        cleaned["gender"] or "", keeping=existing.gender if existing else ""
    ):
        raise ApplicationError("Choose a gender from the list", field="gender")
    if cleaned.get("postcode"):
        postcode = normalise_postcode(cleaned["postcode"])
        if postcode is None:
            raise ApplicationError("Enter a real UK postcode, like NW1 2AB", field="postcode")
        cleaned["postcode"] = postcode
    born = cleaned.get("date_of_birth", existing.date_of_birth if existing else None)
    died = cleaned.get("date_of_death", existing.date_of_death if existing else None)
    for name, value in (("date_of_birth", born), ("date_of_death", died)):
        problem = date_problem(name, value, today=today)
        if problem:
            raise ApplicationError(problem, field=name)
    if born and died and died < born:
        raise ApplicationError("Date of death must be on or after the date of birth", field="date_of_death")
    return cleaned


def add_to_chronology(
    *,
    person: Person,
    category: str,
    summary: str,
    by: User | None,
    occurred_at: datetime | None = None,
    detail: str = "",
    link: str = "",
    by_label: str = "",
) -> ChronologyEntry:
    """Write one entry in the person's story; every app records its events through this."""
    return ChronologyEntry.objects.create(
        person=person,
        occurred_at=occurred_at or timezone.now(),
        category=category,
        summary=summary[:300],
        detail=detail,
        recorded_by=by,
        recorded_by_label=by_label or (by.full_name if by else "System"),
        link=link,
    )


@transaction.atomic
def create_person(*, by: User, data: dict[str, Any]) -> Person:
    """Add a person to the council's record after checking identity fields."""
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    cleaned = _validate_person_data(data, today=timezone.localdate(), existing=None)
    person = Person(**cleaned)
    if person.is_restricted:
        person.restricted_at = timezone.now()
    person.reference = format_reference(reserve_numbers("person_reference")[0])
    person.neighbourhood = neighbourhood_for_postcode(person.postcode)
    person.full_clean(exclude=["reference"])
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:
        # Two people saved the same NHS number at once: the second is told, nothing half-saved.
        existing = Person.objects.filter(nhs_number=person.nhs_number).first()
        if existing is not None:
            raise DuplicateNHSNumberError(existing) from error
        raise
    add_to_chronology(person=person, category="people", summary="Record created", by=by)
    # The person who adds someone is working with them from that moment: a declared relationship,
    # time-limited and reviewed by IG like any other, so they can open the record they just made.
    # That holds for a record they restrict as they create it, too. ADR-004 refuses a declared grant on a
    # restricted record so that staff outside the person's circle cannot declare their way in; the creator is
    # not outside it, as everything on the record came from them. Break-glass would be the wrong label (there is
    # no emergency, and IG would read it as one). So this grant skips grant_access's check, which is for
    # declarations made on the declare page; everyone else still needs break-glass to open the record.
    _save_grant(
        person=person,
        user=by,
        kind=AccessGrantKind.DECLARED,
        reason=AccessReason.NEW_CONTACT,
        reason_detail="Added this person to the council's record",
    )
    audit.record(
        actor=by,
        action="person.created",
        target=person,
        person_id=person.pk,
        snapshot={"reference": person.reference, "nhs_number_status": person.nhs_number_status},
    )
    return person


def may_change_restriction(basis: str) -> bool:
    """Whether someone who opened the record on `basis` may restrict it or lift its restriction: only a team that
    works with the person (ADR-004). Someone in by break-glass, a declaration or a partner share could otherwise
    lift it and let any member of staff declare their way in."""
    return basis == AccessBasis.RELATIONSHIP


@transaction.atomic
def update_person(*, person: Person, by: User, data: dict[str, Any], basis: str) -> Person:
    """Change identity or personal details; the audit snapshot lists which fields changed.

    `basis` is the access basis on which `by` opened the record (selectors.resolve_access): restricting it or lifting
    its restriction needs a working relationship (may_change_restriction)."""
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    locked = Person.objects.select_for_update().get(pk=person.pk)
    cleaned = _validate_person_data(data, today=timezone.localdate(), existing=locked)
    changed = [name for name, value in cleaned.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    if "is_restricted" in changed and not may_change_restriction(basis):
        what = "lift the restriction on" if locked.is_restricted else "restrict"
        raise ApplicationError(
            f"Only a team that works with {locked.full_name} can {what} this record", field="is_restricted"
        )
    for name in changed:
        setattr(locked, name, cleaned[name])
    if "postcode" in changed:
        locked.neighbourhood = neighbourhood_for_postcode(locked.postcode)
    now = timezone.now()
    if "is_restricted" in changed:
        locked.restricted_at = now if locked.is_restricted else None
    locked.full_clean()
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as error:
        existing = Person.objects.filter(nhs_number=locked.nhs_number).exclude(pk=locked.pk).first()
        if existing is not None:
            raise DuplicateNHSNumberError(existing) from error
        raise
    labels = ", ".join(str(getattr(Person._meta.get_field(name), "verbose_name", name)) for name in changed)
    add_to_chronology(person=locked, category="people", summary=f"Details updated: {labels}", by=by)
    audit.record(
        actor=by, action="person.updated", target=locked, person_id=locked.pk, snapshot={"changed": ",".join(changed)}
    )
    if "is_restricted" in changed and locked.is_restricted:
        _end_declared_grants(person=locked, by=by, now=now)
    return locked


def _end_declared_grants(*, person: Person, by: User, now: datetime) -> list[AccessGrant]:
    """A record just restricted offers only break-glass (ADR-004): every declared grant still current on it ends now,
    the restricting user's own included, as access judged not appropriate ends (review_access_grant). revoked_at is
    what every access check reads, so each holder's next look at the record asks them to break glass; each grant
    gets its own audit event. Break-glass grants carry on: they were given for a restricted record's reasons."""
    grants = list(
        AccessGrant.objects.current(now)
        .filter(person=person, kind=AccessGrantKind.DECLARED)
        .select_for_update()
        .order_by("granted_at", "pk")
    )
    if not grants:
        return []
    AccessGrant.objects.filter(pk__in=[g.pk for g in grants]).update(revoked_at=now, updated_at=now)
    for grant in grants:
        grant.revoked_at = now
    audit.record_many(
        actor=by,
        entries=[
            audit.AuditEntry(
                action="access.revoked",
                target=grant,
                person_id=person.pk,
                snapshot={"kind": grant.kind, "holder": grant.user_id, "because": "record restricted"},
            )
            for grant in grants
        ],
    )
    return grants


@transaction.atomic
def reassign_neighbourhoods(*, by: User | None, trigger: str = "", actor_label: str = "") -> int:
    """Recompute every person's neighbourhood from the postcode mapping as it is now; returns how many changed.

    Set-based: one UPDATE for the people whose derived neighbourhood differs (the longest prefix wins, as in
    neighbourhood_for_postcode: sector 'NW1 2', then district 'NW1'; postcodes are stored normalised, 'NW1 2AB'),
    and one for people with no postcode who still have one. No chronology entry for each person (it is not an event
    in their story), but one audit event with the count. Run after every change to PostcodeArea or Neighbourhood
    (the admin does) and by `manage.py reassign_neighbourhoods`.
    """
    areas = PostcodeArea.objects.values("neighbourhood_id")
    postcode = OuterRef("postcode")
    by_sector = areas.filter(prefix=Left(postcode, Length(postcode) - 2))[:1]
    by_district = areas.filter(prefix=Left(postcode, Length(postcode) - 4))[:1]
    derived = Coalesce(Subquery(by_sector), Subquery(by_district))
    stale = (
        Person.objects.exclude(postcode="")
        .annotate(derived=derived)
        .filter(
            Q(neighbourhood_id__isnull=True, derived__isnull=False)
            | Q(neighbourhood_id__isnull=False, derived__isnull=True)
            | (Q(neighbourhood_id__isnull=False, derived__isnull=False) & ~Q(neighbourhood_id=F("derived")))
        )
    )
    now = timezone.now()
    changed = stale.update(neighbourhood_id=derived, updated_at=now)
    changed += Person.objects.filter(postcode="", neighbourhood_id__isnull=False).update(
        neighbourhood=None, updated_at=now
    )
    audit.record(
        actor=by,
        action="people.neighbourhoods_reassigned",
        target=Person,
        snapshot={"changed": changed, "trigger": trigger},
        actor_label=actor_label or ("" if by else "manage.py reassign_neighbourhoods"),
    )
    return changed


@transaction.atomic
def raise_alert(*, person: Person, by: User, kind: str, reason: str, owner: User, review_on: date) -> Alert:
    """Put a warning on the record; it needs a reason, an owner and a review date."""
    if review_on < timezone.localdate():
        raise ApplicationError("Review date must be today or in the future", field="review_on")
    if not reason.strip():
        raise ApplicationError("Enter why this alert is needed", field="reason")
    alert = Alert(person=person, kind=kind, reason=reason.strip(), owner=owner, review_on=review_on, raised_by=by)
    alert.full_clean()
    alert.save()
    add_to_chronology(
        person=person,
        category="alerts",
        summary=f"Alert added: {alert.get_kind_display()}",
        by=by,
        link=reverse("people:detail", args=[person.pk]) + "#alerts",
    )
    audit.record(
        actor=by, action="alert.raised", target=alert, person_id=person.pk, snapshot={"kind": kind, "reason": reason}
    )
    return alert


@transaction.atomic
def end_alert(*, alert: Alert, by: User, reason: str) -> Alert:
    if alert.ended_at is not None:
        raise ApplicationError("This alert has already ended")
    if not reason.strip():
        raise ApplicationError("Enter why the alert is no longer needed", field="reason")
    alert.ended_at = timezone.now()
    alert.ended_by = by
    alert.end_reason = reason.strip()
    alert.save(update_fields=["ended_at", "ended_by", "end_reason", "updated_at"])
    add_to_chronology(person=alert.person, category="alerts", summary=f"Alert ended: {alert.get_kind_display()}", by=by)
    audit.record(actor=by, action="alert.ended", target=alert, person_id=alert.person_id, snapshot={"reason": reason})
    return alert


def _review_date(review_on: date) -> None:
    if review_on < timezone.localdate():
        raise ApplicationError("Review date must be today or in the future", field="review_on")


@transaction.atomic
def review_alert(
    *, alert: Alert, by: User, review_on: date, note: str, reason: str = "", owner: User | None = None
) -> Alert:
    """Record that an alert was checked: its next review date, and any change to its reason or owner."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.ended_at is not None:
        raise ApplicationError("This alert has ended")
    _review_date(review_on)
    if not note.strip():
        raise ApplicationError("Enter what the review found", field="note")
    changed = []
    if reason.strip() and reason.strip() != locked.reason:
        locked.reason = reason.strip()
        changed.append("reason")
    if owner is not None and owner.pk != locked.owner_id:
        locked.owner = owner
        changed.append("owner")
    if review_on != locked.review_on:
        locked.review_on = review_on
        changed.append("review_on")
    locked.full_clean()
    locked.save(update_fields=[*changed, "updated_at"])
    add_to_chronology(
        person=locked.person,
        category="alerts",
        summary=f"Alert reviewed: {locked.get_kind_display()}",
        detail=note.strip(),
        by=by,
        link=reverse("people:detail", args=[locked.person_id]) + "#alerts",
    )
    audit.record(
        actor=by,
        action="alert.reviewed",
        target=locked,
        person_id=locked.person_id,
        snapshot={"review_on": review_on.isoformat(), "changed": ",".join(changed), "notes": note},
    )
    return locked


@transaction.atomic
def record_risk(
    *,
    person: Person,
    by: User,
    title: str,
    description: str,
    likelihood: int,
    impact: int,
    mitigation: str,
    owner: User,
    review_on: date,
    persons_view: str = "",
) -> Risk:
    """Add a risk to the register with its owner, review date and the person's own view."""
    if review_on < timezone.localdate():
        raise ApplicationError("Review date must be today or in the future", field="review_on")
    risk = Risk(
        person=person,
        title=title.strip(),
        description=description.strip(),
        likelihood=likelihood,
        impact=impact,
        mitigation=mitigation.strip(),
        persons_view=persons_view.strip(),
        owner=owner,
        review_on=review_on,
        recorded_by=by,
    )
    risk.full_clean()
    risk.save()
    add_to_chronology(person=person, category="risks", summary=f"Risk recorded: {risk.title}", by=by)
    audit.record(
        actor=by,
        action="risk.recorded",
        target=risk,
        person_id=person.pk,
        snapshot={"likelihood": likelihood, "impact": impact},
    )
    return risk


@transaction.atomic
def close_risk(*, risk: Risk, by: User) -> Risk:
    if risk.closed_at is not None:
        raise ApplicationError("This risk is already closed")
    risk.closed_at = timezone.now()
    risk.save(update_fields=["closed_at", "updated_at"])
    add_to_chronology(person=risk.person, category="risks", summary=f"Risk closed: {risk.title}", by=by)
    audit.record(actor=by, action="risk.closed", target=risk, person_id=risk.person_id)
    return risk


RISK_REVIEW_FIELDS = ("likelihood", "impact", "mitigation", "persons_view", "owner", "review_on")


@transaction.atomic
def review_risk(
    *,
    risk: Risk,
    by: User,
    likelihood: int,
    impact: int,
    mitigation: str,
    owner: User,
    review_on: date,
    persons_view: str = "",
    note: str = "",
) -> Risk:
    """Review a risk: its rating, how it is managed, who owns it, the next review date and the person's view."""
    locked = Risk.objects.select_for_update().get(pk=risk.pk)
    if locked.closed_at is not None:
        raise ApplicationError("This risk is closed")
    _review_date(review_on)
    if not mitigation.strip():
        raise ApplicationError("Enter how the risk is managed", field="mitigation")
    before = {name: getattr(locked, name) for name in RISK_REVIEW_FIELDS}
    locked.likelihood = likelihood
    locked.impact = impact
    locked.mitigation = mitigation.strip()
    locked.persons_view = persons_view.strip()
    locked.owner = owner
    locked.review_on = review_on
    changed = [name for name in RISK_REVIEW_FIELDS if getattr(locked, name) != before[name]]
    locked.full_clean()
    locked.save(update_fields=[*changed, "updated_at"])
    rating = f"Likelihood {locked.likelihood} × impact {locked.impact}; next review {locked.review_on:%d/%m/%Y}."
    add_to_chronology(
        person=locked.person,
        category="risks",
        summary=f"Risk reviewed: {locked.title}",
        detail=f"{rating}\n{note.strip()}".strip(),
        by=by,
        link=reverse("people:detail", args=[locked.person_id]) + "#risks",
    )
    audit.record(
        actor=by,
        action="risk.reviewed",
        target=locked,
        person_id=locked.person_id,
        snapshot={
            "likelihood": locked.likelihood,
            "impact": locked.impact,
            "review_on": review_on.isoformat(),
            "changed": ",".join(changed),
            "notes": note,
        },
    )
    return locked


@transaction.atomic
def add_contact(*, person: Person, by: User, data: dict[str, Any]) -> Contact:
    """Record someone in the person's network: a carer, next of kin, advocate or attorney."""
    contact = Contact(person=person, **data)
    contact.full_clean()
    contact.save()
    add_to_chronology(
        person=person, category="people", summary=f"{contact.get_kind_display()} added: {contact.name}", by=by
    )
    audit.record(actor=by, action="contact.added", target=contact, person_id=person.pk, snapshot={"kind": contact.kind})
    return contact


@transaction.atomic
def add_involvement(*, person: Person, by: User, data: dict[str, Any]) -> Involvement:
    """Record a professional or agency involved with the person."""
    involvement = Involvement(person=person, **data)
    if involvement.started_on and involvement.ended_on and involvement.ended_on < involvement.started_on:
        raise ApplicationError("End date must be on or after the start date", field="ended_on")
    involvement.full_clean()
    involvement.save()
    add_to_chronology(person=person, category="people", summary=f"Professional involved: {involvement}", by=by)
    audit.record(
        actor=by,
        action="involvement.added",
        target=involvement,
        person_id=person.pk,
        snapshot={"role": involvement.role},
    )
    return involvement


@transaction.atomic
def end_contact(*, contact: Contact, by: User) -> Contact:
    """Record that someone in the person's network is no longer involved; the row is kept for the story."""
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if locked.ended_at is not None:
        raise ApplicationError("This person is already recorded as no longer involved")
    locked.ended_at = timezone.now()
    locked.save(update_fields=["ended_at", "updated_at"])
    add_to_chronology(
        person=locked.person,
        category="people",
        summary=f"{locked.get_kind_display()} no longer involved: {locked.name}",
        by=by,
    )
    audit.record(
        actor=by, action="contact.ended", target=locked, person_id=locked.person_id, snapshot={"kind": locked.kind}
    )
    return locked


@transaction.atomic
def end_involvement(*, involvement: Involvement, by: User, ended_on: date) -> Involvement:
    """Record the date a professional or agency stopped being involved with the person."""
    locked = Involvement.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=involvement.pk)
    if locked.ended_on is not None and locked.ended_on <= timezone.localdate():
        raise ApplicationError("This involvement has already ended")
    if ended_on > timezone.localdate():
        raise ApplicationError("The date involvement ended must be today or in the past", field="ended_on")
    if locked.started_on and ended_on < locked.started_on:
        raise ApplicationError("The date involvement ended must be on or after the date it started", field="ended_on")
    locked.ended_on = ended_on
    locked.save(update_fields=["ended_on", "updated_at"])
    add_to_chronology(
        person=locked.person, category="people", summary=f"Professional no longer involved: {locked}", by=by
    )
    audit.record(
        actor=by,
        action="involvement.ended",
        target=locked,
        person_id=locked.person_id,
        snapshot={"role": locked.role, "ended_on": ended_on.isoformat()},
    )
    return locked


CONTACT_FIELDS = ("kind", "name", "relationship", "phone", "email", "address", "is_main_contact")
INVOLVEMENT_FIELDS = ("role", "organisation", "name", "phone", "email", "started_on")


def _changes(row: Any, fields: tuple[str, ...], data: dict[str, Any]) -> list[str]:
    """Set `data` (only `fields`) on `row`; the names of the fields whose value changed, in `fields`' order."""
    unknown = set(data) - set(fields)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    changed = []
    for name in fields:
        if name in data:
            value = data[name].strip() if isinstance(data[name], str) else data[name]
            if getattr(row, name) != value:
                setattr(row, name, value)
                changed.append(name)
    return changed


@transaction.atomic
def update_contact(*, contact: Contact, by: User, data: dict[str, Any]) -> Contact:
    """Correct the details of someone in the person's network (a carer's new phone number). The audit names the
    fields that changed, never their values; one who is no longer involved is kept as they were."""
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if locked.ended_at is not None:
        raise ApplicationError(
            f"{locked.name} is no longer involved, so their details cannot be changed: add them again if they are"
        )
    changed = _changes(locked, CONTACT_FIELDS, data)
    if not changed:
        return locked
    if not locked.name:
        raise ApplicationError("Enter their full name", field="name")
    _save_network_change(
        locked,
        changed,
        by=by,
        summary=f"{locked.get_kind_display()} details updated: {locked.name}",
        action="contact.updated",
        snapshot={"kind": locked.kind},
    )
    return locked


@transaction.atomic
def update_involvement(*, involvement: Involvement, by: User, data: dict[str, Any]) -> Involvement:
    """Correct the details of a professional or agency involved with the person. The audit names the fields that
    changed, never their values; an involvement that has ended is kept as it was."""
    locked = Involvement.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=involvement.pk)
    today = timezone.localdate()
    if locked.ended_on is not None and locked.ended_on <= today:
        raise ApplicationError("This involvement has ended, so its details cannot be changed: add it again if needed")
    changed = _changes(locked, INVOLVEMENT_FIELDS, data)
    if not changed:
        return locked
    if locked.started_on and locked.started_on > today:
        raise ApplicationError("The date they became involved must be today or in the past", field="started_on")
    if locked.started_on and locked.ended_on and locked.ended_on < locked.started_on:
        raise ApplicationError(
            "The date they became involved must be on or before the date involvement ends", field="started_on"
        )
    who = locked.name or (locked.organisation.name if locked.organisation else "")
    _save_network_change(
        locked,
        changed,
        by=by,
        summary=f"{locked.get_role_display()} details updated" + (f": {who}" if who else ""),
        action="involvement.updated",
        snapshot={"role": locked.role},
    )
    return locked


def _save_network_change(
    row: Contact | Involvement, changed: list[str], *, by: User, summary: str, action: str, snapshot: dict[str, Any]
) -> None:
    """Save the changed fields of someone in the person's network, on the chronology and in the audit (which names
    the fields that changed, never their values)."""
    row.full_clean()
    row.save(update_fields=[*changed, "updated_at"])
    add_to_chronology(
        person=row.person,
        category="people",
        summary=summary,
        by=by,
        link=reverse("people:detail", args=[row.person_id]) + "#network",
    )
    snapshot = {**snapshot, "changed": ",".join(changed)}
    audit.record(actor=by, action=action, target=row, person_id=row.person_id, snapshot=snapshot)


@dataclass(frozen=True)
class GrantRequest:
    reason: str
    reason_detail: str


@transaction.atomic
def grant_access(*, person: Person, user: User, kind: str, reason: str, reason_detail: str) -> AccessGrant:
    """Open a record outside the user's relationships for a limited time; IG reviews every grant."""
    if not reason_detail.strip():
        raise ApplicationError("Explain why you need to see this record", field="reason_detail")
    if person.is_restricted and kind != AccessGrantKind.BREAK_GLASS:
        raise ApplicationError("This record is restricted: use break-glass access", field="reason")
    return _save_grant(person=person, user=user, kind=kind, reason=reason, reason_detail=reason_detail)


def _save_grant(*, person: Person, user: User, kind: str, reason: str, reason_detail: str) -> AccessGrant:
    """Write the grant and its audit event, in the calling service's transaction."""
    setting = "BREAK_GLASS_HOURS" if kind == AccessGrantKind.BREAK_GLASS else "DECLARED_RELATIONSHIP_HOURS"
    hours = int(str(settings.SAFEPATHWAYS[setting]))
    now = timezone.now()
    grant = AccessGrant(
        user=user,
        person=person,
        kind=kind,
        reason=reason,
        reason_detail=reason_detail.strip(),
        granted_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    grant.full_clean()
    grant.save()
    audit.record(
        actor=user,
        action=f"access.{kind}",
        target=grant,
        person_id=person.pk,
        snapshot={"reason_code": reason, "reason_detail": reason_detail, "hours": hours},
    )
    return grant


@transaction.atomic
def review_access_grant(*, grant: AccessGrant, by: User, outcome: str, note: str) -> AccessGrant:
    """An information governance officer's decision on a declared or break-glass access."""
    locked = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if locked.reviewed_at is not None:
        raise ApplicationError("This access has already been reviewed")
    if locked.user_id == by.pk:
        raise ApplicationError("You cannot review your own access")
    now = timezone.now()
    locked.reviewed_at = now
    locked.reviewed_by = by
    locked.review_outcome = outcome
    locked.review_note = note.strip()
    fields = ["reviewed_at", "reviewed_by", "review_outcome", "review_note", "updated_at"]
    # Access judged not appropriate ends now, not when the grant would have run out: revoked_at is what every
    # access check reads (AccessGrant.objects.current and Person.objects.with_relationship_to).
    revoked = outcome == ReviewOutcome.INAPPROPRIATE and locked.revoked_at is None
    if revoked:
        locked.revoked_at = now
        fields.append("revoked_at")
    locked.full_clean()
    locked.save(update_fields=fields)
    audit.record(
        actor=by,
        action="access.reviewed",
        target=locked,
        person_id=locked.person_id,
        snapshot={"outcome": outcome, "revoked": revoked},
    )
    return locked


@transaction.atomic
def share_with_organisation(
    *, person: Person, by: User, organisation: Organisation, purpose: str, expires_at: datetime | None = None
) -> Share:
    """Let a partner organisation see this person's record, for a stated purpose."""
    if organisation.is_this_council:
        raise ApplicationError("Choose a partner organisation", field="organisation")
    if Share.objects.current().filter(person=person, organisation=organisation).exists():
        raise ApplicationError(f"This record is already shared with {organisation}", field="organisation")
    share = Share(
        person=person, organisation=organisation, purpose=purpose.strip(), shared_by=by, expires_at=expires_at
    )
    share.full_clean()
    share.save()
    add_to_chronology(person=person, category="sharing", summary=f"Record shared with {organisation}: {purpose}", by=by)
    audit.record(
        actor=by,
        action="person.shared",
        target=share,
        person_id=person.pk,
        snapshot={"organisation": organisation.name},
    )
    return share


@transaction.atomic
def revoke_share(*, share: Share, by: User) -> Share:
    """Stop sharing a person's record with a partner organisation: from now on its users get a 404."""
    locked = Share.objects.select_for_update().select_related("organisation", "person").get(pk=share.pk)
    if locked.revoked_at is not None:
        raise ApplicationError(f"This record is no longer shared with {locked.organisation}")
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at", "updated_at"])
    add_to_chronology(
        person=locked.person,
        category="sharing",
        summary=f"Stopped sharing the record with {locked.organisation}",
        by=by,
    )
    audit.record(
        actor=by,
        action="person.share_revoked",
        target=locked,
        person_id=locked.person_id,
        snapshot={"organisation": locked.organisation.name},
    )
    return locked
