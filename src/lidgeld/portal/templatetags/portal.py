"""Template filters of the portal pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from lidgeld.notices.models import (
    KIND_AGE_LIMIT,
    KIND_EMAIL_CHANGED,
    KIND_END_OF_CONTRIBUTION,
    KIND_REMINDER,
    KIND_RENEWAL,
    KIND_UNPAID,
    Message,
)

register = template.Library()


@register.filter
def notice_title(message: Message) -> str:
    """The subject as sent; before it is sent (not rendered yet), what kind of notice it is."""
    if message.subject.strip():
        return message.subject
    names = {
        KIND_END_OF_CONTRIBUTION: _("Your membership ends soon"),
        KIND_REMINDER: _("Reminder: membership fee not paid yet"),
        KIND_UNPAID: _("Membership fee unpaid"),
        KIND_RENEWAL: _("Your membership is renewed"),
        KIND_AGE_LIMIT: _("Your youth membership ends"),
        KIND_EMAIL_CHANGED: _("Your e-mail address was changed"),
    }
    return names.get(message.kind, _("Message from the library"))
