"""Websocket routes of every app, in one list."""

from django.urls import path

from orders.consumers import OrdersConsumer

websocket_urlpatterns: list = [
    path("ws/orders/", OrdersConsumer.as_asgi()),
]
