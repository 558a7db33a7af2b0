"""Messages: the notices this borrower received, exactly as they were sent."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from lidgeld.portal.selectors import own_message, received_messages
from lidgeld.portal.session import PortalRequest, portal_page
from lidgeld.portal.views.common import render_page


@portal_page
def messages_view(request: PortalRequest) -> HttpResponse:
    return render_page(
        request,
        "portal/messages.html",
        {"notices": list(received_messages(request.borrower))},
        section="messages",
    )


@portal_page
def message_view(request: PortalRequest, message_id: int) -> HttpResponse:
    notice = own_message(request.borrower, message_id)
    if notice is None:
        raise Http404("no such message")
    return render_page(request, "portal/message.html", {"notice": notice}, section="messages")
