"""REST endpoints of transitions, mounted under /api/v1/ by safepathways.api.urls."""

from django.urls import path

from safepathways.transitions import api

urlpatterns = [
    # /api/v1/transitions/plans/
    path("transitions/plans/", api.PlanListCreateApi.as_view(), name="transition_plans"),
    path("transitions/plans/<uuid:pk>/", api.PlanDetailApi.as_view(), name="transition_plan"),
    path("transitions/plans/<uuid:pk>/steps/", api.StepCreateApi.as_view(), name="transition_plan_steps"),
    path(
        "transitions/plans/<uuid:pk>/arrangements/",
        api.ArrangementCreateApi.as_view(),
        name="transition_plan_arrangements",
    ),
    path("transitions/plans/<uuid:pk>/risks/", api.RiskCreateApi.as_view(), name="transition_plan_risks"),
    path("transitions/plans/<uuid:pk>/ready/", api.ReadyApi.as_view(), name="transition_plan_ready"),
    path("transitions/plans/<uuid:pk>/reopen/", api.ReopenApi.as_view(), name="transition_plan_reopen"),
    path("transitions/plans/<uuid:pk>/move/", api.MoveApi.as_view(), name="transition_plan_move"),
    path("transitions/plans/<uuid:pk>/check/", api.CheckApi.as_view(), name="transition_plan_check"),
    path("transitions/plans/<uuid:pk>/cancel/", api.CancelApi.as_view(), name="transition_plan_cancel"),
    path("transitions/plans/<uuid:pk>/shares/", api.ShareApi.as_view(), name="transition_plan_shares"),
    path(
        "transitions/plans/<uuid:pk>/shares/<uuid:organisation_pk>/",
        api.UnshareApi.as_view(),
        name="transition_plan_share",
    ),
    path(
        "transitions/plans/<uuid:pk>/<str:kind>/<uuid:item_pk>/",
        api.ItemUpdateApi.as_view(),
        name="transition_plan_item",
    ),
    # /api/v1/transitions/gaps/
    path("transitions/gaps/", api.GapListApi.as_view(), name="continuity_gaps"),
]
