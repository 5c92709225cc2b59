"""REST endpoints of transitions, mounted under /api/v1/ by safepathways.api.urls."""

from django.urls import path

from safepathways.transitions import api

urlpatterns = [
    # /api/v1/transitions/plans/
    path("transitions/plans/", api.PlanListCreateApi.as_view(), name="transition_plans"),
    path("transitions/plans/<uuid:pk>/", api.PlanDetailApi.as_view(), name="transition_plan"),
    path("transitions/plans/<uuid:pk>/steps/", api.StepCreateApi.as_view(), name="transition_plan_steps"),
    path(
        "transitions/plans/<uuid:pk>/<str:kind>/<uuid:item_pk>/",
        api.ItemUpdateApi.as_view(),
        name="transition_plan_item",
    ),
    # /api/v1/transitions/gaps/
    path("transitions/gaps/", api.GapListApi.as_view(), name="continuity_gaps"),
]
