from django.urls import path

from safepathways.safeguarding import views

app_name = "safeguarding"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("collection/", views.collection, name="collection"),
    # /safeguarding/people/<id>/
    path("people/<uuid:pk>/", views.person_concerns, name="person"),
    path("people/<uuid:pk>/concerns/new/", views.raise_concern, name="raise"),
    # /safeguarding/from-work/<work item id>/
    path("from-work/<uuid:pk>/", views.from_work, name="from_work"),
    # /safeguarding/concerns/<id>/
    path("concerns/<uuid:pk>/", views.concern, name="concern"),
    path("concerns/<uuid:pk>/decide/", views.decide, name="decide"),
    path("concerns/<uuid:pk>/share/", views.share, name="share"),
    path("concerns/<uuid:pk>/shares/", views.shares, name="shares"),
    path("concerns/<uuid:pk>/shares/<uuid:share_pk>/revoke/", views.revoke_share, name="revoke_share"),
    path("concerns/<uuid:pk>/enquiry/open/", views.open_enquiry, name="open_enquiry"),
    path("concerns/<uuid:pk>/enquiry/strategy/", views.strategy_discussion, name="strategy"),
    path("concerns/<uuid:pk>/enquiry/actions/new/", views.add_action, name="add_action"),
    path(
        "concerns/<uuid:pk>/enquiry/actions/<uuid:action_pk>/complete/", views.complete_action, name="complete_action"
    ),
    path("concerns/<uuid:pk>/enquiry/personal/", views.personal, name="personal"),
    path("concerns/<uuid:pk>/enquiry/outcome/", views.outcome, name="outcome"),
    path("concerns/<uuid:pk>/close/", views.close, name="close"),
]
