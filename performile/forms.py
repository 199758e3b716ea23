"""The HTML side of performile.errors: a domain error becomes form errors."""

from django import forms

from performile.errors import ApplicationError


def add_service_error(
    form: forms.Form, exc: ApplicationError, *, summary: bool = False
) -> None:
    """Put the error's per-field messages on the form's fields of the same name;
    what names no field of the form becomes a message for the whole form. With
    `summary`, the whole sentence stands above the form too (the field keeps its
    short reason)."""
    placed = False
    for name, messages in exc.fields.items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, _text(message))
            placed = True
    if not placed or (summary and exc.message not in form.non_field_errors()):
        form.add_error(None, exc.message)


def _text(message) -> str:
    return message.get("message", "") if isinstance(message, dict) else str(message)


class SecretFieldsMixin:
    """A model form whose `secret_fields` hold secrets (tokens, API secrets):
    never sent back to the browser (a password field, left empty), needed only
    while none is set, and kept as they are when the field is left empty. The
    merchant's settings (workspace.settings.forms) and the operator's admin use
    it."""

    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            field = self.fields[name]
            current = getattr(self.instance, name, "")
            field.required = field.required and not current
            field.widget = forms.PasswordInput(
                render_value=False, attrs={"autocomplete": "new-password"}
            )
            if current:
                field.help_text = "Set. Leave empty to keep the current one."

    def clean(self):
        cleaned = super().clean()
        for name in self.secret_fields:
            if not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name, "")
        return cleaned


def run_service(form: forms.Form, call):
    """`call(form.cleaned_data)` when the form is valid: its result, or None when
    the form is invalid or the service refused (its ApplicationError then on the
    form, see `add_service_error`)."""
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except ApplicationError as exc:
        add_service_error(form, exc)
        return None
