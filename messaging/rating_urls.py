"""The satisfaction question's public link (/rate/<token>/, docs/csat.md)."""

from django.urls import path

from messaging import rating_views

app_name = "satisfaction"
urlpatterns = [
    path("<str:token>/", rating_views.survey_rate_view, name="rate"),
]
