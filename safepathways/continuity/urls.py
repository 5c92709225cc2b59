from django.urls import path

from safepathways.continuity import views

app_name = "continuity"

urlpatterns = [
    path("", views.home, name="home"),
    path("incidents/new/", views.new_incident, name="new_incident"),
    path("incidents/<uuid:pk>/", views.incident, name="incident"),
    path("incidents/<uuid:pk>/people/new/", views.add_affected, name="add_affected"),
    path("incidents/<uuid:pk>/close/", views.close_incident, name="close"),
    path("incidents/<uuid:pk>/review/", views.review, name="review"),
    path("affected/<uuid:pk>/", views.affected, name="affected"),
    path("affected/<uuid:pk>/update/", views.update_affected, name="update_affected"),
    path("affected/<uuid:pk>/reserve/", views.reserve, name="reserve"),
    path("affected/<uuid:pk>/outcome/", views.outcome, name="outcome"),
    path("steps/<uuid:pk>/done/", views.complete_step, name="complete_step"),
    path("protocol/", views.protocol, name="protocol"),
    path("protocol/new/", views.protocol_step, name="new_protocol_step"),
    path("protocol/<slug:code>/", views.protocol_step, name="protocol_step"),
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.new_plan, name="new_plan"),
    path("plans/<uuid:pk>/", views.plan, name="plan"),
    path("emergency/", views.emergency, name="emergency"),
    path("emergency/lists/", views.emergency_print, name="emergency_print"),
]
