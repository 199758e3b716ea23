"""Labels a merchant's team puts on conversations ("Return", "VIP", "Damaged") to
sort and find them; each merchant keeps its own set."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

from orders.models import Merchant

# The pill colours of the app's stylesheet.
COLOURS = (
    ("grey", "Grey"),
    ("blue", "Blue"),
    ("green", "Green"),
    ("orange", "Orange"),
    ("red", "Red"),
    ("violet", "Violet"),
    ("teal", "Teal"),
    ("pink", "Pink"),
)


class Label(models.Model):
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="labels"
    )
    name = models.CharField(
        max_length=40,
        validators=[
            RegexValidator(r"\S", "A label needs a name."),
        ],
    )
    colour = models.CharField(
        max_length=12, choices=COLOURS, default="grey", db_default="grey"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "merchant", name="label_name_unique_per_merchant"
            ),
        ]

    def __str__(self):
        return self.name
