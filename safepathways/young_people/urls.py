from django.urls import path

from safepathways.young_people import views

app_name = "young_people"

urlpatterns = [
    # /young-people/
    path("", views.tracker, name="tracker"),
    path("import/", views.upload, name="import"),
    # /young-people/<id>/
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/milestones/", views.record_milestone, name="record_milestone"),
    path("<uuid:pk>/worker/", views.allocate, name="allocate"),
    path("<uuid:pk>/significant-benefit/", views.significant_benefit, name="significant_benefit"),
    path("<uuid:pk>/continuing-healthcare/", views.continuing_healthcare, name="continuing_healthcare"),
    path("<uuid:pk>/meetings/", views.planning_meeting, name="planning_meeting"),
    path("<uuid:pk>/workshops/", views.workshop, name="workshop"),
    path(
        "<uuid:pk>/workshops/<uuid:workshop_pk>/attendance/",
        views.workshop_attendance,
        name="workshop_attendance",
    ),
    path("<uuid:pk>/care-leaver/", views.care_leaver, name="care_leaver"),
    path("<uuid:pk>/housing-referral/", views.housing_referral, name="housing_referral"),
    path("<uuid:pk>/plan-adult-move/", views.plan_adult_move, name="plan_adult_move"),
    path("<uuid:pk>/plan-accommodation-move/", views.plan_accommodation_move, name="plan_accommodation_move"),
]
