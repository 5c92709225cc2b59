"""REST endpoints of safeguarding, mounted under /api/v1/ by safepathways.api.urls."""

from django.urls import path

from safepathways.safeguarding import api

urlpatterns = [
    # /api/v1/safeguarding/concerns/
    path("safeguarding/concerns/", api.ConcernListCreateApi.as_view(), name="safeguarding_concerns"),
    path("safeguarding/concerns/<uuid:pk>/", api.ConcernDetailApi.as_view(), name="safeguarding_concern"),
    path("safeguarding/concerns/<uuid:pk>/decision/", api.ConcernDecisionApi.as_view(), name="safeguarding_decision"),
    path("safeguarding/concerns/<uuid:pk>/enquiry/", api.EnquiryApi.as_view(), name="safeguarding_enquiry"),
    path(
        "safeguarding/concerns/<uuid:pk>/enquiry/outcome/",
        api.EnquiryOutcomeApi.as_view(),
        name="safeguarding_outcome",
    ),
    # /api/v1/safeguarding/actions/
    path("safeguarding/actions/", api.EnquiryActionListApi.as_view(), name="safeguarding_actions"),
    path(
        "safeguarding/actions/<uuid:pk>/completion/",
        api.EnquiryActionCompletionApi.as_view(),
        name="safeguarding_action_completion",
    ),
]
