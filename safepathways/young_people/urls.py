from django.urls import path  # noqa: F401

app_name = "young_people"

urlpatterns: list[object] = []
