from django.urls import path

from safepathways.providers import views

app_name = "providers"

urlpatterns = [
    # /providers/
    path("providers/", views.register, name="register"),
    path("providers/<uuid:pk>/", views.provider_detail, name="detail"),
    # /people/<pk>/services/
    path("people/<uuid:pk>/services/new/", views.service_add, name="service_add"),
    path("people/<uuid:pk>/services/<uuid:service_pk>/end/", views.service_end, name="service_end"),
]
