"""The customer page's one form of its own: the language the customer is written
to (they choose it in the portal too)."""

from django import forms
from django.conf import settings


class CustomerLanguageForm(forms.Form):
    language = forms.ChoiceField(
        label="Writes to them in",
        required=False,
        choices=[("", "The store's language")] + list(settings.LANGUAGES),
    )
