"""The Django admin's order change form, as a browser would post it."""

from django.urls import reverse


def change_form(client, order) -> tuple[str, dict]:
    """The order's change page and the data its form would post unchanged (the
    fields' values and the inlines' management forms)."""
    url = reverse("admin:orders_order_change", args=[order.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update(
            {management.add_prefix(k): v for k, v in management.initial.items()}
        )
    return url, data
