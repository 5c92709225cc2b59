"""REST endpoints of oversight, mounted under /api/v1/ by safepathways.api.urls."""

from django.urls import path

from safepathways.oversight import api

urlpatterns = [
    # /api/v1/oversight/concerns/
    path("oversight/concerns/", api.ConcernListCreateApi.as_view(), name="oversight_concerns"),
    path("oversight/concerns/<uuid:pk>/", api.ConcernDetailApi.as_view(), name="oversight_concern"),
    path(
        "oversight/concerns/<uuid:pk>/escalations/",
        api.EscalationCreateApi.as_view(),
        name="oversight_concern_escalations",
    ),
    # /api/v1/oversight/vacancies/
    path("oversight/vacancies/", api.VacancyListApi.as_view(), name="oversight_vacancies"),
    path(
        "oversight/vacancies/<str:cqc_location_id>/<str:bed_type>/",
        api.VacancyUpdateApi.as_view(),
        name="oversight_vacancy",
    ),
]
