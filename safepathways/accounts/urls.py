from django.urls import path

from safepathways.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("", views.account, name="account"),
    path("set-password/<str:uidb64>/<str:token>/", views.set_password, name="set_password"),
    path("forgotten-password/", views.forgotten_password, name="forgotten_password"),
    path("password/", views.change_password, name="change_password"),
    # /account/two-factor/
    path("two-factor/set-up/", views.mfa_setup, name="mfa_setup"),
    path("two-factor/verify/", views.mfa_verify, name="mfa_verify"),
    path("two-factor/remove/", views.mfa_remove, name="mfa_remove"),
]
