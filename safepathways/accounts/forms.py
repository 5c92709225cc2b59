"""Sign-in, password and second-factor forms."""

from django import forms
from django.contrib.auth.forms import PasswordChangeForm


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address like name@council.gov.uk",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": False}),
    )
    password = forms.CharField(
        label="Password",
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Security code",
        max_length=8,
        help_text="The 6-digit code from your authenticator app",
        error_messages={"required": "Enter the 6-digit security code"},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "govuk-input--width-5"}
        ),
    )

    def clean_token(self) -> str:
        token: str = self.cleaned_data["token"].replace(" ", "")
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError("Enter the 6-digit security code from your authenticator app")
        return token


class ForgottenPasswordForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="The address you sign in with",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address like name@council.gov.uk",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": False}),
    )


class ChangePasswordForm(PasswordChangeForm):
    """Django's form (the current password, then the new one twice, checked by AUTH_PASSWORD_VALIDATORS), worded
    for this service."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right: enter it again",
        "password_mismatch": "The two new passwords do not match",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "old_password": ("Current password", "Enter your current password"),
            "new_password1": ("New password", "Enter a new password"),
            "new_password2": ("New password again", "Enter the new password again"),
        }
        for name, (label, required) in labels.items():
            self.fields[name].label = label
            self.fields[name].help_text = ""
            self.fields[name].error_messages["required"] = required
