"""REST endpoints of mutual_aid, mounted under /api/v1/ by safepathways.api.urls."""

from django.urls import path

from safepathways.mutual_aid import api

urlpatterns = [
    # /api/v1/mutual-aid/messages/: signed messages from partner instances (mutual_aid.signing)
    path("mutual-aid/messages/", api.MessagesApi.as_view(), name="mutual_aid_messages"),
    # /api/v1/mutual-aid/requests/: staff reads
    path("mutual-aid/requests/", api.RequestListApi.as_view(), name="mutual_aid_requests"),
    path("mutual-aid/requests/<uuid:pk>/", api.RequestDetailApi.as_view(), name="mutual_aid_request"),
]
