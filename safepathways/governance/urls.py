from django.urls import path

from safepathways.governance import views

app_name = "governance"

urlpatterns = [
    path("", views.home, name="home"),
    path("people/<uuid:pk>/", views.person_access, name="person_access"),
    path("users/<int:pk>/", views.user_access, name="user_access"),
    path("access/<uuid:pk>/review/", views.review, name="review"),
]
