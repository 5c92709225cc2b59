"""REST endpoints of dols, mounted under /api/v1/ by safepathways.api.urls."""

from django.urls import path

from safepathways.dols import api

urlpatterns = [
    # /api/v1/dols/requests/
    path("dols/requests/", api.RequestListCreateApi.as_view(), name="dols_requests"),
    path("dols/requests/<uuid:pk>/", api.RequestDetailApi.as_view(), name="dols_request"),
    path(
        "dols/requests/<uuid:pk>/assessments/<slug:requirement>/",
        api.AssessmentApi.as_view(),
        name="dols_assessment",
    ),
    path("dols/requests/<uuid:pk>/authorisation/", api.AuthorisationApi.as_view(), name="dols_authorisation"),
]
