from django.urls import path

from safepathways.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.awaiting, name="awaiting"),
    path("my-referrals/", views.my_referrals, name="my_referrals"),
    # /front-door/contacts/
    path("contacts/new/", views.create, name="create"),
    path("contacts/<uuid:pk>/", views.detail, name="detail"),
    path("contacts/<uuid:pk>/edit/", views.edit, name="edit"),
    path("contacts/<uuid:pk>/link/", views.link, name="link"),
    path("contacts/<uuid:pk>/triage/", views.triage, name="triage"),
    path("contacts/<uuid:pk>/close/", views.close, name="close"),
    # /front-door/duplicates/
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/merge/", views.merge, name="merge"),
    path("duplicates/different-people/", views.dismiss, name="dismiss"),
    path("duplicates/different-people/<uuid:pk>/undo/", views.undo_dismissal, name="undo_dismissal"),
    path("merges/<uuid:pk>/unmerge/", views.unmerge, name="unmerge"),
]
