"""REST endpoints of discharges, mounted under /api/v1/ by safepathways.api.urls."""

from django.urls import path

from safepathways.discharges import api

urlpatterns = [
    # /api/v1/discharge/
    path("discharge/referrals/", api.ReferralListCreateApi.as_view(), name="discharge_referrals"),
    path("discharge/referrals/<uuid:pk>/", api.ReferralDetailApi.as_view(), name="discharge_referral"),
    path("discharge/referrals/<uuid:pk>/outcome/", api.OutcomeApi.as_view(), name="discharge_outcome"),
    path(
        "discharge/referrals/<uuid:pk>/unsafe-reports/",
        api.UnsafeReportApi.as_view(),
        name="discharge_unsafe_reports",
    ),
    path("discharge/board/", api.BoardApi.as_view(), name="discharge_board"),
]
