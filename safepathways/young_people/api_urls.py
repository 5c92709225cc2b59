"""REST endpoints of young_people, mounted under /api/v1/ by safepathways.api.urls."""

from django.urls import path

from safepathways.young_people import api

urlpatterns = [
    # /api/v1/young-people/
    path("young-people/", api.YoungPersonListCreateApi.as_view(), name="young_people"),
    path("young-people/<uuid:pk>/", api.YoungPersonDetailApi.as_view(), name="young_person"),
]
