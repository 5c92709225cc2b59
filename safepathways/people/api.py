"""People through the REST API: the same services, selectors and scoping as the web pages."""

from datetime import date
from typing import Any
from uuid import UUID

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safepathways.accounts import rules as perms
from safepathways.accounts.models import User
from safepathways.audit import services as audit
from safepathways.audit.models import AccessKind
from safepathways.core.api import Pagination
from safepathways.core.identifiers import is_valid_nhs_number, normalise_nhs_number, normalise_postcode
from safepathways.people import selectors, services
from safepathways.people.codes import Ethnicity, NHSNumberStatus
from safepathways.people.models import GenderCode, Person

ERROR = inline_serializer(
    "Error",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.ListField(
            child=inline_serializer(
                "FieldError", fields={"field": serializers.CharField(), "message": serializers.CharField()}
            )
        ),
    },
)


def _require(request: Request, perm: str) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_perm(perm):
        raise PermissionDenied("Your role does not allow this")
    return user


class PersonSummarySerializer(serializers.ModelSerializer[Person]):
    """What a search result shows, as the web search results show it: identity, and where the person lives only to
    the first line of the address and the outward half of the postcode, neither of them for a restricted record."""

    address_line_1 = serializers.SerializerMethodField(help_text="Blank for a restricted record")
    postcode_outward = serializers.SerializerMethodField(
        help_text="The outward half of the postcode, for example NW1; blank for a restricted record"
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "reference",
            "given_name",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "address_line_1",
            "postcode_outward",
            "is_restricted",
        ]

    def get_address_line_1(self, person: Person) -> str:
        return "" if person.is_restricted else person.address_line_1

    def get_postcode_outward(self, person: Person) -> str:
        return "" if person.is_restricted else person.postcode.split(" ")[0]


class PersonSearchSerializer(serializers.Serializer[dict[str, Any]]):
    """The search's query parameters, refused by the same rules, in the same words, as the web search form's."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Name, NHS number or council reference"
    )
    date_of_birth = serializers.DateField(required=False, help_text="YYYY-MM-DD")
    postcode = serializers.CharField(
        required=False, allow_blank=True, max_length=10, help_text="A postcode, or its area, district or sector"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        query = selectors.SearchQuery(
            text=attrs.get("q", ""), date_of_birth=attrs.get("date_of_birth"), postcode=attrs.get("postcode", "")
        )
        problems = selectors.search_problems(query)
        if problems:
            raise serializers.ValidationError(problems)
        attrs["query"] = query
        return attrs


class PersonOutputSerializer(serializers.ModelSerializer[Person]):
    neighbourhood = serializers.CharField(source="neighbourhood.name", default=None, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "reference",
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
            "neighbourhood",
            "phone",
            "email",
            "main_language",
            "needs_interpreter",
            "communication_needs",
            "about_me",
            "what_matters",
            "is_restricted",
            "created_at",
            "updated_at",
        ]


def _real_date(name: str, value: date | None) -> date | None:
    """The service's rule for the date by itself (services.date_problem), answered beside every other field's."""
    problem = services.date_problem(name, value, today=timezone.localdate())
    if problem:
        raise serializers.ValidationError(problem)
    return value


def _name_messages(which: str) -> dict[str, Any]:
    """The service's words for a name left out (services._validate_person_data), not "This field may not be blank."."""
    return {"required": f"Enter the person's {which}", "blank": f"Enter the person's {which}"}


class PersonInputSerializer(serializers.Serializer[dict[str, Any]]):
    given_name = serializers.CharField(max_length=100, error_messages=_name_messages("first name"))
    family_name = serializers.CharField(max_length=100, error_messages=_name_messages("last name"))
    preferred_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    date_of_death = serializers.DateField(required=False, allow_null=True)
    nhs_number = serializers.CharField(max_length=12, required=False, allow_blank=True, allow_null=True)
    nhs_number_status = serializers.ChoiceField(choices=NHSNumberStatus.choices, required=False)
    gender = serializers.CharField(
        max_length=20, required=False, help_text="The code of an active gender (the list is kept in the admin)"
    )
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices, required=False)
    address_line_1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address_line_2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    town = serializers.CharField(max_length=100, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    main_language = serializers.CharField(max_length=60, required=False)
    needs_interpreter = serializers.BooleanField(required=False)
    communication_needs = serializers.CharField(required=False, allow_blank=True)
    about_me = serializers.CharField(required=False, allow_blank=True)
    what_matters = serializers.CharField(required=False, allow_blank=True)
    is_restricted = serializers.BooleanField(
        required=False, help_text="Only a team that works with the person may change this on an existing record"
    )

    def validate_date_of_birth(self, value: date | None) -> date | None:
        return _real_date("date_of_birth", value)

    def validate_date_of_death(self, value: date | None) -> date | None:
        return _real_date("date_of_death", value)

    def validate_nhs_number(self, value: str | None) -> str | None:
        digits = normalise_nhs_number(value or "")
        if digits and not is_valid_nhs_number(digits):
            raise serializers.ValidationError("Enter a valid NHS number: 10 digits whose last digit is the check digit")
        return digits or None

    def validate_gender(self, value: str) -> str:
        # An active code; a change of other details may resend the code the record holds (context "keeping_gender").
        if not GenderCode.objects.allows(value, keeping=self.context.get("keeping_gender", "")):
            raise serializers.ValidationError("Choose a gender from the list")
        return value

    def validate_postcode(self, value: str) -> str:
        if value and normalise_postcode(value) is None:
            raise serializers.ValidationError("Enter a real UK postcode, like NW1 2AB")
        return normalise_postcode(value) or ""


class PersonUpdateSerializer(PersonInputSerializer):
    given_name = serializers.CharField(max_length=100, required=False, error_messages=_name_messages("first name"))
    family_name = serializers.CharField(max_length=100, required=False, error_messages=_name_messages("last name"))


class PersonListCreateApi(APIView):
    """Search people (identity only) or add a person."""

    @extend_schema(
        parameters=[PersonSearchSerializer, OpenApiParameter("page", int)],
        responses={200: PersonSummarySerializer(many=True), 400: ERROR, 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        user = _require(request, perms.SEARCH_PEOPLE)
        # Parameters sent empty (?q=&postcode=) count as not sent, as the web form reads them.
        params = {name: value for name, value in request.query_params.items() if value != ""}
        search = PersonSearchSerializer(data=params)
        search.is_valid(raise_exception=True)
        query: selectors.SearchQuery = search.validated_data["query"]
        paginator = Pagination()
        if query.is_empty:
            queryset = (
                Person.objects.with_relationship_to(user)
                if user.is_council_staff
                else Person.objects.shared_with_organisations(user.organisation_ids)
            )
            page = paginator.paginate_queryset(queryset.order_by("family_name", "given_name", "id"), request, view=self)
        else:
            found: Any = [r.person for r in selectors.search_people(user, query)]
            page = paginator.paginate_queryset(found, request, view=self)
        return paginator.get_paginated_response(PersonSummarySerializer(page, many=True).data)

    @extend_schema(
        request=PersonInputSerializer,
        responses={201: PersonOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 409: ERROR},
    )
    def post(self, request: Request) -> Response:
        user = _require(request, perms.CREATE_PERSON)
        serializer = PersonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = services.create_person(by=user, data=dict(serializer.validated_data))
        return Response(PersonOutputSerializer(person).data, status=status.HTTP_201_CREATED)


class PersonDetailApi(APIView):
    """Read or change one person's record."""

    def _access(self, request: Request, pk: UUID) -> selectors.PersonAccess:
        user = _require(request, perms.VIEW_PERSON)
        try:
            return selectors.resolve_access(user, pk)
        except selectors.RelationshipRequiredError as error:
            raise PermissionDenied(
                "You do not work with this person: declare a working relationship in the web service first"
            ) from error

    def _log(self, request: Request, access: selectors.PersonAccess) -> None:
        """Every answer that returns the record is a look at it, on the basis (and under the grant) it was opened."""
        audit.record_access(
            user=request.user,  # type: ignore[arg-type]
            person_id=access.person.pk,
            what=f"{request.method} {request.path}",
            basis=access.basis,
            kind=AccessKind.API,
            grant_id=access.grant.pk if access.grant else None,
        )

    @extend_schema(responses={200: PersonOutputSerializer, 401: ERROR, 403: ERROR, 404: ERROR})
    def get(self, request: Request, pk: UUID) -> Response:
        access = self._access(request, pk)
        self._log(request, access)
        return Response(PersonOutputSerializer(access.person).data)

    @extend_schema(
        request=PersonUpdateSerializer,
        responses={200: PersonOutputSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def patch(self, request: Request, pk: UUID) -> Response:
        access = self._access(request, pk)
        user = _require(request, perms.EDIT_PERSON)
        serializer = PersonUpdateSerializer(
            data=request.data, partial=True, context={"keeping_gender": access.person.gender}
        )
        serializer.is_valid(raise_exception=True)
        person = services.update_person(
            person=access.person, by=user, data=dict(serializer.validated_data), basis=access.basis
        )
        # The answer is the whole record, as GET's is: a PATCH of nothing ({}) would otherwise read it unlogged.
        self._log(request, access)
        return Response(PersonOutputSerializer(person).data)
