"""Scaffold: replaced by the real pages."""

from django.http import Http404

from portal.views.common import customer_required


@customer_required
def dashboard_view(request):
    raise Http404("Not built yet.")
