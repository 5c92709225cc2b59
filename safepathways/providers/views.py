"""The provider register and the services a person receives."""

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from safepathways.accounts import rules as perms
from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.core.decorators import permission_required
from safepathways.core.errors import ApplicationError
from safepathways.people.decorators import person_record
from safepathways.people.selectors import PersonAccess
from safepathways.providers import services
from safepathways.providers.forms import EndServiceForm, ServiceForm
from safepathways.providers.models import Provider

PAGE_SIZE = 50


@require_http_methods(["GET"])
@permission_required(perms.VIEW_PROVIDERS)
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    name = request.GET.get("name", "").strip()
    providers = Provider.objects.annotate(location_count=Count("locations")).order_by("name")
    if name:
        providers = providers.filter(name__icontains=name)
    page = Paginator(providers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "providers/register.html", {"page": page, "name": name})


@require_http_methods(["GET"])
@permission_required(perms.VIEW_PROVIDERS)
def provider_detail(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    provider = get_object_or_404(Provider, pk=pk)
    locations = list(provider.locations.annotate(people=Count("services")).order_by("name"))
    # The oversight app's permission, named as a string: providers does not import the apps above it.
    can_see_oversight = request.user.has_perm("oversight.view_oversight")
    return render(
        request,
        "providers/provider_detail.html",
        {"provider": provider, "locations": locations, "can_see_oversight": can_see_oversight},
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.RECORD_SERVICES)
@person_record("add service form")
def service_add(request: AuthenticatedHttpRequest, access: PersonAccess) -> HttpResponse:
    # The recorder's own council team is offered first: a service recorded with no team gives no team a
    # relationship with the person (people.selectors), so nobody but the recorder could find them through it.
    own_team = next((m.team for m in request.user.memberships_cached if m.team.organisation.is_this_council), None)
    form = ServiceForm(request.POST if request.method == "POST" else None, initial={"team": own_team})
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            override_reason = data.pop("override_reason", "")
            services.record_service(person=access.person, by=request.user, data=data, override_reason=override_reason)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Service recorded")
            return redirect(reverse("people:detail", args=[access.person.pk]) + "#services")
    return render(
        request,
        "people/record_form.html",
        {"form": form, "person": access.person, "title": "Record a service", "button": "Record service"},
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.RECORD_SERVICES)
@person_record("end service form")
def service_end(request: AuthenticatedHttpRequest, access: PersonAccess, service_pk: UUID) -> HttpResponse:
    service = get_object_or_404(access.person.services.filter(end_on__isnull=True), pk=service_pk)
    form = EndServiceForm(request.POST if request.method == "POST" else None, start_on=service.start_on)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_service(service=service, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Service end recorded")
            return redirect(reverse("people:detail", args=[access.person.pk]) + "#services")
    return render(
        request,
        "people/record_form.html",
        {
            "form": form,
            "person": access.person,
            "title": "End a service",
            "button": "Record the end",
            "intro": f"{service.service_type}, since {service.start_on:%d/%m/%Y}",
        },
    )
