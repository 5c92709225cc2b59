"""Root URLs: each app's urls.py under its prefix and namespace."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("safepathways.core.urls")),
    path("account/", include("safepathways.accounts.urls")),
    path("people/", include("safepathways.people.urls")),
    path("", include("safepathways.providers.urls")),
    path("governance/", include("safepathways.governance.urls")),
    path("front-door/", include("safepathways.referrals.urls")),
    path("dols/", include("safepathways.dols.urls")),
    path("safeguarding/", include("safepathways.safeguarding.urls")),
    path("transitions/", include("safepathways.transitions.urls")),
    path("discharge/", include("safepathways.discharges.urls")),
    path("young-people/", include("safepathways.young_people.urls")),
    path("oversight/", include("safepathways.oversight.urls")),
    path("continuity/", include("safepathways.continuity.urls")),
    path("mutual-aid/", include("safepathways.mutual_aid.urls")),
    path("work/", include("safepathways.work.urls")),
    path("dashboard/", include("safepathways.dashboards.urls")),
    path("inbox/", include("safepathways.notifications.urls")),
    path("api/v1/", include("safepathways.api.urls")),
    path("django-admin/", admin.site.urls),
]

handler404 = "safepathways.core.errors_views.not_found"
handler403 = "safepathways.core.errors_views.forbidden"
handler500 = "safepathways.core.errors_views.server_error"
