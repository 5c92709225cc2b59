from django.urls import path

from safepathways.people import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    # /people/<pk>/
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/edit/", views.edit, name="edit"),
    path("<uuid:pk>/declare/", views.declare, name="declare"),
    path("<uuid:pk>/alerts/new/", views.alert_add, name="alert_add"),
    path("<uuid:pk>/alerts/<uuid:alert_pk>/end/", views.alert_end, name="alert_end"),
    path("<uuid:pk>/alerts/<uuid:alert_pk>/review/", views.alert_review, name="alert_review"),
    path("<uuid:pk>/risks/new/", views.risk_add, name="risk_add"),
    path("<uuid:pk>/risks/<uuid:risk_pk>/close/", views.risk_close, name="risk_close"),
    path("<uuid:pk>/risks/<uuid:risk_pk>/review/", views.risk_review, name="risk_review"),
    path("<uuid:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("<uuid:pk>/contacts/<uuid:contact_pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<uuid:pk>/contacts/<uuid:contact_pk>/end/", views.contact_end, name="contact_end"),
    path("<uuid:pk>/professionals/new/", views.involvement_add, name="involvement_add"),
    path("<uuid:pk>/professionals/<uuid:involvement_pk>/edit/", views.involvement_edit, name="involvement_edit"),
    path("<uuid:pk>/professionals/<uuid:involvement_pk>/end/", views.involvement_end, name="involvement_end"),
    path("<uuid:pk>/sharing/", views.sharing, name="sharing"),
    path("<uuid:pk>/sharing/<uuid:share_pk>/stop/", views.share_revoke, name="share_revoke"),
]
