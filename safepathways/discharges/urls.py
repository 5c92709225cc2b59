from django.urls import path

from safepathways.discharges import views

app_name = "discharges"

urlpatterns = [
    # /discharge/
    path("", views.board, name="board"),
    path("out-of-hours/", views.out_of_hours, name="out_of_hours"),
    path("metrics/", views.metrics, name="metrics"),
    # /discharge/referrals/<id>/
    path("referrals/new/", views.new_referral, name="new_referral"),
    path("referrals/<uuid:pk>/", views.referral, name="referral"),
    path("referrals/<uuid:pk>/discharge-ready/", views.set_ready_date, name="set_ready_date"),
    path("referrals/<uuid:pk>/pathway/", views.agree_pathway, name="agree_pathway"),
    path("referrals/<uuid:pk>/next-action/", views.next_action, name="next_action"),
    path("referrals/<uuid:pk>/delay/", views.delay_reason, name="delay_reason"),
    path("referrals/<uuid:pk>/support/", views.support_start, name="support_start"),
    path("referrals/<uuid:pk>/support-started/", views.record_start, name="record_start"),
    path("referrals/<uuid:pk>/outcome/", views.outcome, name="outcome"),
    path("referrals/<uuid:pk>/readmission/", views.readmission, name="readmission"),
    path("referrals/<uuid:pk>/close/", views.close, name="close"),
    path("referrals/<uuid:pk>/share/", views.share, name="share"),
    path("referrals/<uuid:pk>/share/<uuid:organisation_pk>/stop/", views.unshare, name="unshare"),
    path("referrals/<uuid:pk>/unsafe/", views.report_unsafe, name="report_unsafe"),
    # /discharge/people/<person id>/
    path("people/<uuid:pk>/", views.person, name="person"),
    path("people/<uuid:pk>/unsafe/", views.report_unsafe_for_person, name="report_unsafe_for_person"),
    # /discharge/plans/<transition plan id>/
    path("plans/<uuid:pk>/unsafe/", views.report_unsafe_for_plan, name="report_unsafe_for_plan"),
    # /discharge/unsafe-reports/
    path("unsafe-reports/", views.unsafe_reports, name="unsafe_reports"),
    path("unsafe-reports/<uuid:pk>/", views.unsafe_report, name="unsafe_report"),
    path("unsafe-reports/<uuid:pk>/close/", views.close_review, name="close_review"),
]
