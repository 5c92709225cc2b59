from django.urls import path  # noqa: F401

app_name = "mutual_aid"

urlpatterns: list[object] = []
