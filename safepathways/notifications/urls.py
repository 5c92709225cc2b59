from django.urls import path

from safepathways.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:pk>/open/", views.open_notification, name="open"),
]
