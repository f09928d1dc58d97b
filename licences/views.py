"""Licence pages (to be completed)."""

from django.http import Http404, HttpRequest, HttpResponse

from licences import selectors


def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    licence = selectors.licence_by_token(token)
    if licence is None:
        raise Http404
    return HttpResponse(licence.validity())
