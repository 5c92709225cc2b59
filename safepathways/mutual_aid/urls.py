from django.urls import path

from safepathways.mutual_aid import views

app_name = "mutual_aid"

urlpatterns = [
    path("", views.requests, name="requests"),
    path("partnerships/", views.partnerships, name="partnerships"),
    # /mutual-aid/requests/<id>/
    path("requests/new/", views.new_request, name="new_request"),
    path("requests/<uuid:pk>/", views.request_detail, name="request"),
    path("requests/<uuid:pk>/offer/", views.offer, name="offer"),
    path("requests/<uuid:pk>/decline/", views.decline_request, name="decline_request"),
    path("requests/<uuid:pk>/withdraw/", views.withdraw_request, name="withdraw_request"),
    path("requests/<uuid:pk>/fulfilled/", views.fulfil, name="fulfil"),
    # /mutual-aid/offers/<id>/
    path("offers/<uuid:pk>/accept/", views.accept_offer, name="accept_offer"),
    path("offers/<uuid:pk>/decline/", views.decline_offer, name="decline_offer"),
    path("offers/<uuid:pk>/withdraw/", views.withdraw_offer, name="withdraw_offer"),
    path("offers/<uuid:pk>/details/", views.disclose, name="disclose"),
]
