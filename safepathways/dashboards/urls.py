from django.urls import path

from safepathways.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # /dashboard/supervision/
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/<int:user_id>/", views.supervision_worker, name="supervision_worker"),
    path("supervision/<int:user_id>/record/", views.record_supervision, name="record_supervision"),
]
