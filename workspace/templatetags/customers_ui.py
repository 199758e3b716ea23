"""The nav's link to the customer directory, for the merchant's staff and admins."""

from django import template

from orders.selectors import user_team_merchant_ids

register = template.Library()


@register.simple_tag(takes_context=True)
def customers_nav(context) -> bool:
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or bool(user_team_merchant_ids(user))
