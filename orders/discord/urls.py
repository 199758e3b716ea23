from django.urls import path

from orders.discord.interactions import interactions_view

app_name = "discord"
urlpatterns = [path("interactions", interactions_view, name="interactions")]
