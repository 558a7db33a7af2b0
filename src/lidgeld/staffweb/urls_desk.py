"""Desk work: the dashboard, finding a borrower, the borrower page with its actions, the
memberships that end this month, and the day's letters. Every borrower id in a path goes
through ``visible_borrower`` (404 outside the staff member's libraries)."""

from django.urls import path

from lidgeld.staffweb.views import (
    desk_actions,
    desk_borrowers,
    desk_cards,
    desk_dashboard,
    desk_details,
    desk_ending,
    desk_expiring,
    desk_letters,
    desk_merge,
    desk_notes,
    desk_pin,
    desk_register,
)

urlpatterns = [
    path("", desk_dashboard.dashboard, name="dashboard"),
    path("next-run/", desk_dashboard.next_run, name="next-run"),
    path("borrowers/", desk_borrowers.search, name="borrower-search"),
    path("borrowers/<int:borrower_id>/", desk_borrowers.borrower, name="borrower"),
    # a new borrower: the form, then (when the borrower types the PIN) the PIN screen
    path("borrowers/new/", desk_register.register, name="borrower-new"),
    path("borrowers/new/<str:key>/pin/", desk_register.register_pin, name="borrower-new-pin"),
    path("borrowers/<int:borrower_id>/details/", desk_details.details, name="borrower-details"),
    path("borrowers/<int:borrower_id>/pin/", desk_pin.pin, name="borrower-pin"),
    path(
        "borrowers/<int:borrower_id>/renew/paid/",
        desk_actions.renew,
        {"paid": True},
        name="renew-paid",
    ),
    path(
        "borrowers/<int:borrower_id>/renew/open/",
        desk_actions.renew,
        {"paid": False},
        name="renew-open",
    ),
    path("borrowers/<int:borrower_id>/payment/", desk_actions.payment, name="payment"),
    path(
        "borrowers/<int:borrower_id>/items/<int:posting_id>/write-off/",
        desk_actions.write_off,
        name="write-off",
    ),
    path("expiring/", desk_expiring.expiring, name="expiring"),
    # the day's letters: a batch per PDF, confirmed printed by staff
    path("letters/", desk_letters.letters, name="letters"),
    path("letters/batches/", desk_letters.batch_new, name="letters-batch-new"),
    path("letters/batches/<int:batch_id>/pdf", desk_letters.batch_pdf, name="letters-batch-pdf"),
    path(
        "letters/batches/<int:batch_id>/confirm",
        desk_letters.batch_confirm,
        name="letters-batch-confirm",
    ),
    # a borrower's notes and cards (issue 13, items 4 and 6)
    path("borrowers/<int:borrower_id>/notes/add/", desk_notes.add, name="note-add"),
    path(
        "borrowers/<int:borrower_id>/notes/<int:note_id>/remove/",
        desk_notes.remove,
        name="note-remove",
    ),
    path(
        "borrowers/<int:borrower_id>/card/lost/",
        desk_cards.lost_or_stolen,
        {"report": "lost"},
        name="card-lost",
    ),
    path(
        "borrowers/<int:borrower_id>/card/stolen/",
        desk_cards.lost_or_stolen,
        {"report": "stolen"},
        name="card-stolen",
    ),
    path("borrowers/<int:borrower_id>/card/new/", desk_cards.replace, name="card-replace"),
    # R12: ending a membership early (and undoing it) and merging two records: coordinators
    path("borrowers/<int:borrower_id>/end/", desk_ending.end, name="membership-end"),
    path(
        "borrowers/<int:borrower_id>/end/<int:ending_id>/undo/",
        desk_ending.undo,
        name="membership-end-undo",
    ),
    path("borrowers/<int:borrower_id>/merge/", desk_merge.merge, name="borrower-merge"),
]
