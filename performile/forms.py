"""The HTML side of performile.errors: a domain error becomes form errors."""

from django import forms

from performile.errors import ApplicationError


def add_service_error(form: forms.Form, exc: ApplicationError) -> None:
    """Put the error's per-field messages on the form's fields of the same name;
    what names no field of the form becomes a message for the whole form."""
    placed = False
    for name, messages in exc.fields.items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, _text(message))
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _text(message) -> str:
    return message.get("message", "") if isinstance(message, dict) else str(message)
