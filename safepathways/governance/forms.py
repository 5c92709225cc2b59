from django import forms

from safepathways.people.models import ReviewOutcome


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Was this access appropriate?",
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        help_text="If it was not appropriate, the access ends as soon as you record the review.",
    )
    note = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class LookupForm(forms.Form):
    reference = forms.CharField(label="Council reference of the person", required=False, max_length=20)
    email = forms.EmailField(label="Email address of the user", required=False)
