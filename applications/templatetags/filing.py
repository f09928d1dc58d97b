"""Template helpers of the applicant's pages."""

import uuid

from django import template

register = template.Library()


@register.simple_tag
def idempotency_key() -> str:
    """A fresh key per rendering of a "start filing" form: submitting the same page twice opens one draft."""
    return uuid.uuid4().hex
