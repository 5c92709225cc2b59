"""The project's URLs, and one more that only the benchmark serves: a signed-in response that does nothing.

`/bench/signed-in/` passes the same middleware as every page (the session read, the user with their memberships, the
second-factor check, CSP, CSRF, messages) and answers a line of plain text: no view logic, no form, no template, no
query of its own. Its time against the same two statements written by hand is the framework's share of every page,
which no page can go below (bench/README.md, "The bare row"). The product's own URLs never include it.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config import urls as project


def signed_in(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse("Not signed in", status=403, content_type="text/plain")
    return HttpResponse("Signed in", content_type="text/plain")


urlpatterns = [path("bench/signed-in/", signed_in), *project.urlpatterns]

handler404 = project.handler404
handler403 = project.handler403
handler500 = project.handler500
