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
