"""REST endpoints of the front door, mounted under /api/v1/ by safepathways.api.urls."""

from django.urls import path

from safepathways.referrals import api

urlpatterns = [
    # /api/v1/contacts/
    path("contacts/", api.ContactListCreateApi.as_view(), name="contacts"),
    path("contacts/<uuid:pk>/", api.ContactDetailApi.as_view(), name="contact"),
    path("contacts/<uuid:pk>/link/", api.ContactLinkApi.as_view(), name="contact_link"),
    path("contacts/<uuid:pk>/triage/", api.ContactTriageApi.as_view(), name="contact_triage"),
    # /api/v1/matches/
    path("matches/", api.MatchListApi.as_view(), name="matches"),
]
