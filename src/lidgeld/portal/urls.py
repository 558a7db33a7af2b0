"""Mijn Bibliotheek under /portal/. Addresses name no borrower: whose page it is comes
from the session, and an id in an address (a loan, a reservation, a message) must be
the logged-in borrower's own or the answer is 404."""

from django.urls import path
from django.views.i18n import set_language

from lidgeld.portal.views import account, loans, membership, messages, profile, reservations

app_name = "portal"

urlpatterns = [
    path("", membership.home_view, name="home"),
    path("login/", account.login_view, name="login"),
    path("logout/", account.logout_view, name="logout"),
    path("language/", set_language, name="language"),
    path("pin/forgot/", account.pin_forgot_view, name="pin-forgot"),
    path("pin/reset/<str:token>/", account.pin_reset_view, name="pin-reset"),
    path("membership/", membership.membership_view, name="membership"),
    path("membership/renew/", membership.renew_view, name="renew"),
    path("membership/qr.png", membership.payment_qr_view, name="payment-qr"),
    path("loans/", loans.loans_view, name="loans"),
    path("loans/renew-all/", loans.loans_renew_all_view, name="loans-renew-all"),
    path("loans/<int:loan_id>/renew/", loans.loan_renew_view, name="loan-renew"),
    path("reservations/", reservations.reservations_view, name="reservations"),
    path("reservations/place/", reservations.reservation_place_view, name="reservation-place"),
    path(
        "reservations/<int:reservation_id>/cancel/",
        reservations.reservation_cancel_view,
        name="reservation-cancel",
    ),
    path("messages/", messages.messages_view, name="messages"),
    path("messages/<int:message_id>/", messages.message_view, name="message"),
    path("profile/", profile.profile_view, name="profile"),
    path("profile/language/", profile.profile_language_view, name="profile-language"),
    path("profile/email/", profile.profile_email_view, name="profile-email"),
    path("profile/pin/", profile.profile_pin_view, name="profile-pin"),
]
