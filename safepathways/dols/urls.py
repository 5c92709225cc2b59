from django.urls import path

from safepathways.dols import views

app_name = "dols"

urlpatterns = [
    path("", views.tracker, name="tracker"),
    path("assessors/", views.roster, name="roster"),
    # /dols/people/<person id>/
    path("people/<uuid:pk>/requests/new/", views.new_request, name="new_request"),
    path("people/<uuid:pk>/court-cases/new/", views.new_court_case, name="new_court_case"),
    # /dols/requests/<id>/
    path("requests/<uuid:pk>/", views.detail, name="detail"),
    path("requests/<uuid:pk>/screen/", views.screen, name="screen"),
    path("requests/<uuid:pk>/oversight/", views.oversight, name="oversight"),
    path("requests/<uuid:pk>/allocate/", views.allocate, name="allocate"),
    path("requests/<uuid:pk>/assessments/<slug:requirement>/", views.assessment, name="assessment"),
    path("requests/<uuid:pk>/sign-off/", views.sign_off, name="sign_off"),
    path("requests/<uuid:pk>/grant/", views.grant, name="grant"),
    path("requests/<uuid:pk>/refuse/", views.refuse, name="refuse"),
    path("requests/<uuid:pk>/extend/", views.extend, name="extend"),
    path("requests/<uuid:pk>/suspend/", views.suspend, name="suspend"),
    path("requests/<uuid:pk>/reinstate/", views.reinstate, name="reinstate"),
    path("requests/<uuid:pk>/terminate/", views.terminate, name="terminate"),
    path("requests/<uuid:pk>/withdraw/", views.withdraw, name="withdraw"),
    # /dols/your-requests/: a managing authority's own requests
    path("your-requests/", views.your_requests, name="your_requests"),
    path("your-requests/new/", views.submit_request, name="submit_request"),
    path("your-requests/<uuid:pk>/", views.your_request, name="your_request"),
    path("your-requests/<uuid:pk>/further/", views.further_request, name="further_request"),
    # /dols/return/
    path("return/", views.return_check, name="return"),
    path("return/export/", views.return_export, name="return_export"),
    # /dols/court/
    path("court/", views.court_cases, name="court_cases"),
    path("court/<uuid:pk>/", views.court_case, name="court_case"),
    path("court/<uuid:pk>/checklist/", views.court_checklist, name="court_checklist"),
    path("court/<uuid:pk>/consultations/", views.court_consultation, name="court_consultation"),
    path("court/<uuid:pk>/submit/", views.court_submit, name="court_submit"),
    path("court/<uuid:pk>/order/", views.court_order, name="court_order"),
]
