from django.urls import path

from safepathways.oversight import views

app_name = "oversight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # /oversight/concerns/
    path("concerns/", views.concerns, name="concerns"),
    path("concerns/new/", views.raise_concern, name="raise_concern"),
    path("concerns/<uuid:pk>/", views.concern, name="concern"),
    path("concerns/<uuid:pk>/escalate/", views.escalate, name="escalate"),
    path("concerns/<uuid:pk>/close/", views.close_concern, name="close_concern"),
    # /oversight/locations/<id>/
    path("locations/<uuid:pk>/", views.location, name="location"),
    path("locations/<uuid:pk>/suspend/", views.suspend, name="suspend"),
    path("locations/<uuid:pk>/lift/", views.lift, name="lift"),
    path("locations/<uuid:pk>/rating/", views.rating, name="rating"),
    # /oversight/vacancies/
    path("vacancies/", views.vacancies, name="vacancies"),
    path("vacancies/import/", views.import_capacity, name="import_capacity"),
    path("vacancies/<uuid:pk>/", views.edit_vacancies, name="edit_vacancies"),
]
