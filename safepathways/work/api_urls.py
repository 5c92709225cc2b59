"""REST endpoints of the waiting list, mounted under /api/v1/ by safepathways.api.urls."""

from django.urls import path

from safepathways.work import api

urlpatterns = [
    # /api/v1/waiting-list/
    path("waiting-list/", api.WaitingListApi.as_view(), name="waiting_list"),
    path("waiting-list/<uuid:pk>/", api.EntryApi.as_view(), name="waiting_list_entry"),
    path("waiting-list/<uuid:pk>/rating/", api.RetriageApi.as_view(), name="waiting_list_rating"),
    path("waiting-list/<uuid:pk>/keep-in-touch/", api.KeepInTouchApi.as_view(), name="waiting_list_keep_in_touch"),
    path("waiting-list/<uuid:pk>/allocation/", api.AllocationApi.as_view(), name="waiting_list_allocation"),
]
