from django.urls import path

from safepathways.transitions import views

app_name = "transitions"

urlpatterns = [
    path("", views.plans, name="plans"),
    path("continuity/", views.continuity, name="continuity"),
    path("continuity/<uuid:pk>/explain/", views.explain_gap, name="explain_gap"),
    # /transitions/people/<person id>/
    path("people/<uuid:pk>/plans/new/", views.new_plan, name="new_plan"),
    # /transitions/plans/<id>/
    path("plans/<uuid:pk>/", views.plan, name="plan"),
    path("plans/<uuid:pk>/details/", views.update_details, name="details"),
    path("plans/<uuid:pk>/views/", views.update_views, name="views"),
    path("plans/<uuid:pk>/steps/", views.add_step, name="add_step"),
    path("plans/<uuid:pk>/arrangements/", views.add_arrangement, name="add_arrangement"),
    path("plans/<uuid:pk>/risks/", views.add_risk, name="add_risk"),
    path("plans/<uuid:pk>/<str:kind>/<uuid:item_pk>/", views.item, name="item"),
    path("plans/<uuid:pk>/ready/", views.mark_ready, name="ready"),
    path("plans/<uuid:pk>/reopen/", views.reopen, name="reopen"),
    path("plans/<uuid:pk>/move/", views.record_move, name="move"),
    path("plans/<uuid:pk>/check/", views.record_check, name="check"),
    path("plans/<uuid:pk>/cancel/", views.cancel, name="cancel"),
    path("plans/<uuid:pk>/share/", views.share, name="share"),
    path("plans/<uuid:pk>/share/<uuid:organisation_pk>/stop/", views.unshare, name="unshare"),
    path("plans/<uuid:pk>/for-the-person/", views.family_copy, name="family_copy"),
    path("plans/<uuid:pk>/for-the-person.pdf", views.family_copy_pdf, name="family_copy_pdf"),
]
