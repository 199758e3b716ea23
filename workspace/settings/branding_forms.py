"""The store's email branding form (messaging.services.branding checks it
again: the service is the one that refuses)."""

from django import forms

from messaging.services.branding import LOGO_MAX_BYTES


class BrandingForm(forms.Form):
    display_name = forms.CharField(
        label="Name customers see",
        required=False,
        max_length=100,
        help_text="The sender of the store's emails and their heading. Empty: the"
        " store's name.",
    )
    logo = forms.ImageField(
        required=False,
        help_text=f"PNG, JPEG or GIF, at most {LOGO_MAX_BYTES // 1024} KB; shown 48"
        " pixels high at the top of every email. Empty: the name instead.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif"}),
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)
    colour = forms.CharField(
        label="Brand colour",
        required=False,
        max_length=7,
        help_text="The email's heading and its button, as #rrggbb (e.g. #1f6f4a).",
        widget=forms.TextInput(attrs={"placeholder": "#1f6f4a", "size": 8}),
    )
    sign_off = forms.CharField(
        label="Sign-off",
        required=False,
        max_length=300,
        strip=True,
        help_text="Ends every email, e.g. “Kind regards,” and “The Nordisk Te"
        " team” on the next line. Empty: “Kind regards,” and the name, in the"
        " customer's language.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    footer = forms.CharField(
        label="Footer",
        required=False,
        max_length=500,
        strip=True,
        help_text="Small print under every email: the store's address, say.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
