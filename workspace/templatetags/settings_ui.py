"""The settings' place in the staff layout: the account menu's "Settings" link,
shown to a merchant's admins only."""

from django import template

from orders.selectors import user_admin_merchant_ids

register = template.Library()


@register.simple_tag(takes_context=True)
def settings_nav(context) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user_admin_merchant_ids(user))
