"""The satisfaction question's link (docs/csat.md): a public page, no sign-in,
reached by a signed token. Thin: read the token, call the service, render."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from messaging.services.satisfaction import (
    COMMENT_LIMIT,
    RATING_WORDS,
    SurveyLinkExpired,
    SurveyLinkInvalid,
    survey_from_token,
    survey_rate,
)
from orders.languages import order_language, writing_to
from performile.errors import ApplicationError

TEMPLATE = "messaging/rate.html"


@require_http_methods(["GET", "POST"])
def survey_rate_view(request, token: str):
    """GET shows the question (a rating from the email's link chosen already);
    only POST records, so a mail scanner that follows links rates nothing."""
    try:
        survey = survey_from_token(token)
    except SurveyLinkExpired:
        return render(request, TEMPLATE, {"problem": "expired"}, status=404)
    except SurveyLinkInvalid:
        return render(request, TEMPLATE, {"problem": "invalid"}, status=404)
    chosen = request.POST.get("rating") or request.GET.get("rating") or survey.rating
    context = {"survey": survey, "store": survey.store, "error": None}
    status = 200
    if request.method == "POST":
        try:
            survey = survey_rate(
                survey=survey,
                rating=request.POST.get("rating"),
                comment=request.POST.get("comment", ""),
            )
        except ApplicationError as exc:
            context["error"] = exc.message
            status = 400
        else:
            context.update(survey=survey, thanks=True)
    context.update(
        chosen=str(chosen or ""),
        comment=request.POST.get("comment", survey.comment),
        comment_limit=COMMENT_LIMIT,
    )
    with writing_to(order_language(survey.order)):
        context["choices"] = [(str(n), str(RATING_WORDS[n])) for n in range(5, 0, -1)]
        return render(request, TEMPLATE, context, status=status)
