"""The front door through the REST API: the same services, selectors, matching and scoping as the web pages."""

from typing import Any
from uuid import UUID

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safepathways.accounts.models import User
from safepathways.audit import services as audit
from safepathways.audit.models import AccessBasis, AccessKind
from safepathways.core.api import Pagination
from safepathways.core.errors import ApplicationError
from safepathways.core.identifiers import is_valid_nhs_number, normalise_nhs_number, normalise_postcode
from safepathways.people.models import Person
from safepathways.referrals import matching, rules, selectors, services
from safepathways.referrals.models import (
    Channel,
    Consent,
    Contact,
    ContactRevision,
    ContactRoute,
    ContactStatus,
    ContactStatusName,
    ReferrerType,
    Route,
    Urgency,
)

ERROR = inline_serializer(
    "FrontDoorError",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.ListField(
            child=inline_serializer(
                "FrontDoorFieldError", fields={"field": serializers.CharField(), "message": serializers.CharField()}
            )
        ),
    },
)


def _require(request: Request, perm: str) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_perm(perm):
        raise PermissionDenied("Your role does not allow this")
    return user


def _contact(user: User, pk: UUID) -> Contact:
    """A contact in the user's scope; another organisation's contact is a 404, as if it did not exist."""
    contact = selectors.visible_contact(user, pk)
    if contact is None:
        raise Http404
    return contact


class ContactPersonSerializer(serializers.ModelSerializer[Person]):
    """The council record a contact is linked to: identity only."""

    class Meta:
        model = Person
        fields = ["id", "reference", "given_name", "family_name", "date_of_birth"]


class ContactStatusSerializer(serializers.ModelSerializer[ContactStatus]):
    # Named like Contact.status so the schema has one enum for the status names.
    status = serializers.ChoiceField(source="name", choices=ContactStatusName.choices, read_only=True)

    class Meta:
        model = ContactStatus
        fields = ["status", "created_at"]


class ContactRouteSerializer(serializers.ModelSerializer[ContactRoute]):
    team = serializers.CharField(source="work_item.team.name", read_only=True)
    work_item = serializers.UUIDField(
        source="work_item_id", read_only=True, allow_null=True, help_text="Council staff only; null for partners"
    )

    class Meta:
        model = ContactRoute
        fields = ["route", "team", "work_item"]


class ContactOutputSerializer(serializers.ModelSerializer[Contact]):
    """A contact and where it has got to. Partners get no council record and no work item ids."""

    person = ContactPersonSerializer(read_only=True, allow_null=True)
    statuses = ContactStatusSerializer(many=True, read_only=True)
    routes = ContactRouteSerializer(many=True, read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "reference",
            "status",
            "received_at",
            "screening_due_on",
            "urgency",
            "referrer_type",
            "referrer_name",
            "referrer_organisation",
            "referrer_phone",
            "channel",
            "reason",
            "persons_wishes",
            "consent",
            "has_immediate_risk",
            "immediate_risk_details",
            "given_name",
            "family_name",
            "date_of_birth",
            "nhs_number",
            "address_line",
            "postcode",
            "phone",
            "person",
            "route",
            "statuses",
            "routes",
            "created_at",
        ]

    def to_representation(self, instance: Contact) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if self.context.get("is_partner"):
            data["person"] = None
            for route in data["routes"]:
                route["work_item"] = None
        return data


CONTACT_CHANGE = inline_serializer(
    "ContactChange",
    fields={
        "from": serializers.JSONField(allow_null=True, help_text="The value before the change"),
        "to": serializers.JSONField(allow_null=True, help_text="The value after it"),
    },
)


class ContactRevisionSerializer(serializers.ModelSerializer[ContactRevision]):
    """One correction: each changed field as it was and became. Partners see what changed and when only."""

    changed_by = serializers.CharField(source="created_by.full_name", read_only=True, allow_null=True)
    changes = serializers.DictField(
        child=CONTACT_CHANGE,
        read_only=True,
        help_text="By field name; screening_due_on appears when a new urgency or time received moved it",
    )

    class Meta:
        model = ContactRevision
        fields = ["created_at", "changed_by", "reason", "changes"]


class ContactDetailOutputSerializer(ContactOutputSerializer):
    """One contact, with the corrections made since it was taken (oldest first)."""

    revisions = ContactRevisionSerializer(many=True, read_only=True)

    class Meta(ContactOutputSerializer.Meta):
        fields = [*ContactOutputSerializer.Meta.fields, "revisions"]

    def to_representation(self, instance: Contact) -> dict[str, Any]:
        data = super().to_representation(instance)
        if self.context.get("is_partner"):
            for revision in data["revisions"]:
                revision["changed_by"] = None
                revision["reason"] = None
        return data


class ContactInputSerializer(serializers.Serializer[dict[str, Any]]):
    referrer_type = serializers.ChoiceField(choices=ReferrerType.choices)
    referrer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    referrer_organisation = serializers.CharField(max_length=200, required=False, allow_blank=True)
    referrer_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, help_text="Defaults to api")
    received_at = serializers.DateTimeField(required=False, help_text="Defaults to now")
    reason = serializers.CharField(help_text="Why they got in touch")
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    persons_wishes = serializers.CharField(required=False, allow_blank=True, help_text="In the person's own words")
    consent = serializers.ChoiceField(choices=Consent.choices)
    has_immediate_risk = serializers.BooleanField(required=False, default=False)
    immediate_risk_details = serializers.CharField(required=False, allow_blank=True)
    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    nhs_number = serializers.CharField(max_length=12, required=False, allow_blank=True)
    address_line = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    person = serializers.UUIDField(
        required=False, allow_null=True, help_text="Council staff only: the id of the person's existing record"
    )


class ContactUpdateInputSerializer(ContactInputSerializer):
    """A correction: only the fields that change, and why. Validated partially, so absent fields keep their value."""

    person = None  # type: ignore[assignment]  # linking to a record is its own endpoint (link/)
    why = serializers.CharField(help_text="Required: why the contact is being changed (kept with the revision)")


class TriageInputSerializer(serializers.Serializer[dict[str, Any]]):
    routes = serializers.ListField(
        child=serializers.ChoiceField(choices=Route.choices),
        required=False,
        min_length=1,
        help_text="Every way the contact goes, each opening its own work for its own team, rated alike; "
        "information_and_advice only on its own. Give routes or route, not both",
    )
    route = serializers.ChoiceField(
        choices=Route.choices,
        required=False,
        help_text="One route: the form from before several were allowed, still accepted. Same as routes: [route]",
    )
    reason = serializers.CharField()
    advice_given = serializers.CharField(required=False, allow_blank=True, help_text="For information and advice")
    likelihood = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    impact = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    risk_flags = serializers.ListField(child=serializers.CharField(), required=False)
    team = serializers.SlugField(
        required=False,
        allow_blank=True,
        help_text="A council team's slug, only when the contact goes one way; default: the route's",
    )
    open_another = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirm that new work is needed although the person already has open work of the same kind "
        "(say why in reason). Without it such a decision is refused (400, on routes), naming the open work",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("route") and data.get("routes"):
            raise serializers.ValidationError({"routes": "Give routes or route, not both"})
        if not (data.get("route") or data.get("routes")):
            raise serializers.ValidationError({"routes": "Choose where this contact goes: give routes, a list"})
        return data


class LinkInputSerializer(serializers.Serializer[dict[str, Any]]):
    person = serializers.UUIDField(required=False, allow_null=True, help_text="The id of an existing record")
    create_person = serializers.BooleanField(
        required=False, default=False, help_text="Create a new record from the identity the contact gave"
    )


class MatchSerializer(serializers.Serializer[Any]):
    """A person who may be the one described: identity only, with the score and the evidence."""

    id = serializers.UUIDField(source="person.pk")
    reference = serializers.CharField(source="person.reference")
    given_name = serializers.CharField(source="person.given_name")
    family_name = serializers.CharField(source="person.family_name")
    date_of_birth = serializers.DateField(source="person.date_of_birth", allow_null=True)
    postcode_district = serializers.SerializerMethodField()
    score = serializers.IntegerField(help_text="0 to 100; see referrals/matching.py for the weighting")
    reasons = serializers.ListField(child=serializers.CharField())

    def get_postcode_district(self, candidate: matching.Candidate) -> str | None:
        # As in search, a restricted record shows no part of the address.
        return None if candidate.person.is_restricted else (candidate.postcode_district or None)


# The query parameters that can identify someone on their own, in the order their errors are listed.
MATCH_IDENTITY_PARAMETERS = ("family_name", "given_name", "date_of_birth", "nhs_number", "postcode")
MATCH_LIST = inline_serializer(
    "MatchList", fields={"count": serializers.IntegerField(), "results": MatchSerializer(many=True)}
)


class ContactUpdateOutputSerializer(ContactDetailOutputSerializer):
    """The corrected contact, and whether its identity changed; if it did, staff get the likely matches again."""

    identity_changed = serializers.BooleanField(read_only=True)
    matches = MatchSerializer(
        many=True,
        read_only=True,
        allow_null=True,
        help_text="Council staff, when the identity changed: who the contact may be about now (the linked "
        "record left out), as from /api/v1/matches/. Otherwise null",
    )

    class Meta(ContactDetailOutputSerializer.Meta):
        fields = [*ContactDetailOutputSerializer.Meta.fields, "identity_changed", "matches"]


def _output(contact: Contact, user: User) -> dict[str, Any]:
    """One contact, read again through the user's scope so its history and corrections are current."""
    return ContactDetailOutputSerializer(contact, context={"is_partner": not user.is_council_staff}).data


class ContactListCreateApi(APIView):
    """Council staff: the contacts awaiting triage. Partners: the contacts their organisation made. Or take one."""

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses={200: ContactOutputSerializer(many=True), 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        user = _require(request, rules.VIEW_CONTACTS)
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.api_contacts(user), request, view=self)
        serializer = ContactOutputSerializer(page, many=True, context={"is_partner": not user.is_council_staff})
        return paginator.get_paginated_response(serializer.data)

    @extend_schema(
        request=ContactInputSerializer,
        responses={201: ContactOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 409: ERROR},
    )
    def post(self, request: Request) -> Response:
        user = _require(request, rules.TAKE_CONTACT)
        serializer = ContactInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        person = None
        if data.get("person"):
            if not user.is_council_staff:
                raise serializers.ValidationError({"person": "The front door links contacts to records"})
            person = selectors.live_person(data["person"])
            if person is None:
                raise serializers.ValidationError({"person": "No current record has this id"})
        data.setdefault("channel", Channel.API)
        contact = services.take_contact(by=user, details=services.ContactDetails.from_data(data), person=person)
        return Response(_output(contact, user), status=status.HTTP_201_CREATED)


class ContactDetailApi(APIView):
    """One contact and its status; a partner may read only its own organisation's."""

    @extend_schema(responses={200: ContactDetailOutputSerializer, 401: ERROR, 403: ERROR, 404: ERROR})
    def get(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.VIEW_CONTACTS)
        contact = _contact(user, pk)
        if user.is_council_staff and contact.person_id is not None:
            audit.record_access(
                user=user,
                person_id=contact.person_id,
                what=f"GET {request.path}",
                basis=AccessBasis.FRONT_DOOR,
                kind=AccessKind.API,
            )
        return Response(_output(contact, user))

    @extend_schema(
        request=ContactUpdateInputSerializer,
        responses={200: ContactUpdateOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
        description="Correct a contact that is not closed: whoever took it, or front-door staff. Send only the "
        "fields that change, and why. The previous values are kept as a revision; a new urgency or time received "
        "moves screening_due_on. A closed contact is refused (400).",
    )
    def patch(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.VIEW_CONTACTS)
        contact = _contact(user, pk)
        if not rules.may_edit_contact(user, contact):
            raise PermissionDenied("Your role does not allow this")
        serializer = ContactUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        why = data.pop("why", "")
        correction = services.update_contact(contact=contact, by=user, changes=data, why=why)
        output = _output(_contact(user, pk), user)
        output["identity_changed"] = correction.identity_changed
        output["matches"] = None
        if correction.identity_changed and user.has_perm(rules.FIND_MATCHES):
            found = matching.find_candidates(matching.identity_of_contact(correction.contact))
            candidates = [c for c in found if c.person.pk != correction.contact.person_id]
            output["matches"] = MatchSerializer(candidates, many=True).data
        return Response(output)


class ContactLinkApi(APIView):
    """Link a contact awaiting triage to an existing record, or to a new one made from its identity."""

    @extend_schema(
        request=LinkInputSerializer,
        responses={200: ContactDetailOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.LINK_PERSON)
        contact = _contact(user, pk)
        serializer = LinkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("create_person"):
            contact = services.create_person_for_contact(contact=contact, by=user)
        else:
            if not data.get("person"):
                raise serializers.ValidationError({"person": "Give the id of a record, or create_person: true"})
            person = selectors.live_person(data["person"])
            if person is None:
                raise serializers.ValidationError({"person": "No current record has this id"})
            contact = services.link_contact_to_person(contact=contact, person=person, by=user)
        return Response(_output(_contact(user, contact.pk), user))


class ContactTriageApi(APIView):
    """Record the triage decision: information and advice, or work opened for each route chosen."""

    @extend_schema(
        request=TriageInputSerializer,
        responses={200: ContactDetailOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
        description="One decision may send the contact several ways: `routes` lists them, each opening its own "
        "work item for its own team with the same risk rating, all in one transaction (nothing is written if "
        "one cannot be opened). `route`, a single route, is still accepted for clients written before: give "
        "one or the other.",
    )
    def post(self, request: Request, pk: UUID) -> Response:
        user = _require(request, rules.TRIAGE_CONTACT)
        contact = _contact(user, pk)
        serializer = TriageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        team = None
        if data.get("team"):
            team = selectors.team_by_slug(data["team"])
            if team is None:
                raise serializers.ValidationError({"team": "No council team has this slug"})
        try:
            services.triage_contact(
                contact=contact,
                by=user,
                route=data.get("route") or "",
                routes=data.get("routes") or [],
                reason=data["reason"],
                advice_given=data.get("advice_given") or "",
                likelihood=data.get("likelihood"),
                impact=data.get("impact"),
                flags=data.get("risk_flags") or [],
                team=team,
                open_another=data["open_another"],
            )
        except ApplicationError as error:
            if error.field == "routes" and data.get("route"):
                raise ApplicationError(error.message, field="route") from error  # named as the client sent it
            raise
        return Response(_output(_contact(user, pk), user))


class MatchListApi(APIView):
    """People who may be the one described, best first, with scores and reasons (identity only)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("given_name", str),
            OpenApiParameter("family_name", str),
            OpenApiParameter("date_of_birth", str, description="YYYY-MM-DD"),
            OpenApiParameter("nhs_number", str),
            OpenApiParameter("postcode", str),
            OpenApiParameter("address_line", str),
            OpenApiParameter("phone", str),
            OpenApiParameter("limit", int, description="At most 20; default 10"),
        ],
        responses={200: MATCH_LIST, 400: ERROR, 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        _require(request, rules.FIND_MATCHES)
        params = request.query_params
        errors: dict[str, str] = {}
        date_of_birth = None
        if params.get("date_of_birth"):
            try:
                date_of_birth = serializers.DateField().to_internal_value(params["date_of_birth"])
            except serializers.ValidationError:
                errors["date_of_birth"] = "Give the date of birth as YYYY-MM-DD"
        nhs_number = normalise_nhs_number(params.get("nhs_number", ""))
        if nhs_number and not is_valid_nhs_number(nhs_number):
            errors["nhs_number"] = "Enter a valid NHS number: 10 digits whose last digit is the check digit"
        postcode = params.get("postcode", "").strip()
        if postcode and normalise_postcode(postcode) is None:
            errors["postcode"] = "Enter a real UK postcode, like NW1 2AB"
        limit_text = params.get("limit", "") or str(matching.MATCH_LIMIT)
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= 20:
            errors["limit"] = "Give a limit from 1 to 20"
        if errors:
            raise serializers.ValidationError(errors)
        identity = matching.Identity(
            given_name=params.get("given_name", ""),
            family_name=params.get("family_name", ""),
            date_of_birth=date_of_birth,
            nhs_number=nhs_number,
            postcode=postcode,
            address_line=params.get("address_line", ""),
            phone=params.get("phone", ""),
        )
        if identity.is_empty:
            # Any one of these would do, so the error is given against each of them (every error names its field).
            message = "Give at least a name, date of birth, NHS number or postcode"
            if identity.address_line.strip() or identity.phone.strip():
                message += ": an address line or phone number alone is not enough to find anyone"
            raise serializers.ValidationError(dict.fromkeys(MATCH_IDENTITY_PARAMETERS, message))
        candidates = matching.find_candidates(identity, limit=int(limit_text))
        return Response({"count": len(candidates), "results": MatchSerializer(candidates, many=True).data})
