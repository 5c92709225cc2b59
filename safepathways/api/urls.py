"""The REST API, version 1: each app's endpoints, the OpenAPI schema and its browsable docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from safepathways.api import views
from safepathways.people import api as people_api

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", views.docs, name="docs"),
    # /api/v1/people/
    path("people/", people_api.PersonListCreateApi.as_view(), name="people"),
    path("people/<uuid:pk>/", people_api.PersonDetailApi.as_view(), name="person"),
    # /api/v1/contacts/, /api/v1/matches/ (front door) and /api/v1/waiting-list/ (work)
    path("", include("safepathways.referrals.api_urls")),
    path("", include("safepathways.work.api_urls")),
    # /api/v1/dols/ and /api/v1/safeguarding/
    path("", include("safepathways.dols.api_urls")),
    path("", include("safepathways.safeguarding.api_urls")),
    # /api/v1/transitions/, /api/v1/discharge/ and /api/v1/young-people/
    path("", include("safepathways.transitions.api_urls")),
    path("", include("safepathways.discharges.api_urls")),
    path("", include("safepathways.young_people.api_urls")),
    # /api/v1/oversight/, /api/v1/continuity/ and /api/v1/mutual-aid/
    path("", include("safepathways.oversight.api_urls")),
    path("", include("safepathways.continuity.api_urls")),
    path("", include("safepathways.mutual_aid.api_urls")),
]
