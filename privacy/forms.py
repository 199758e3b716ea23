from django import forms


class ErasureForm(forms.Form):
    confirmation = forms.CharField(
        label="Type the customer number to confirm",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=300,
        help_text="Kept in the audit trail, e.g. the customer's request by email.",
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why it is declined",
        max_length=300,
        help_text="The customer reads it on their profile; kept in the audit trail.",
    )
