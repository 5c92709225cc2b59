"""REST endpoints of continuity, mounted under /api/v1/ by safepathways.api.urls."""

from django.urls import path

from safepathways.continuity import api

urlpatterns = [
    # /api/v1/continuity/incidents/
    path("continuity/incidents/", api.IncidentListCreateApi.as_view(), name="incidents"),
    path("continuity/incidents/<uuid:pk>/", api.IncidentDetailApi.as_view(), name="incident"),
    path("continuity/incidents/<uuid:pk>/affected/", api.AffectedListApi.as_view(), name="incident_affected"),
    path("continuity/affected/<uuid:pk>/outcome/", api.OutcomeApi.as_view(), name="affected_outcome"),
]
