"""The inbox of notifications for the signed-in user."""

from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from safepathways.accounts.http import AuthenticatedHttpRequest
from safepathways.core.decorators import login_required
from safepathways.notifications.models import Notification
from safepathways.notifications.services import mark_read


@require_GET
@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications = list(Notification.objects.filter(recipient=request.user).order_by("-created_at")[:100])
    return render(request, "notifications/inbox.html", {"notifications": notifications})


@require_POST
@login_required
def open_notification(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.filter(recipient=request.user), pk=pk)
    mark_read(notification=notification)
    target = notification.link or "/inbox/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/inbox/"
    return redirect(target)
