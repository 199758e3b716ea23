from django.urls import path

from workspace.dashboard import views

urlpatterns = [
    path("", views.home, name="home"),
]
