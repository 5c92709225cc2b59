from django.urls import path

from safepathways.work import views

app_name = "work"

urlpatterns = [
    path("waiting-list/", views.waiting_list, name="waiting_list"),
    path("duty/", views.duty, name="duty"),
    path("teams/<slug:slug>/reassign/", views.reassign, name="reassign"),
    path("teams/<slug:slug>/transfer/", views.transfer_team_work, name="transfer_team"),
    # /work/items/<pk>/
    path("items/<uuid:pk>/", views.detail, name="detail"),
    path("items/<uuid:pk>/take/", views.take, name="take"),
    path("items/<uuid:pk>/allocate/", views.allocate, name="allocate"),
    path("items/<uuid:pk>/keep-in-touch/", views.keep_in_touch, name="keep_in_touch"),
    path("items/<uuid:pk>/rating/", views.retriage, name="retriage"),
    path("items/<uuid:pk>/return/", views.return_to_waiting, name="return"),
    path("items/<uuid:pk>/close/", views.close, name="close"),
    path("items/<uuid:pk>/transfer/", views.transfer, name="transfer"),
    path("items/<uuid:pk>/letter/", views.letter, name="letter"),
    path("items/<uuid:pk>/letter/sent/", views.letter_sent, name="letter_sent"),
]
