"""The portal's forms: they check what was typed and say what to fix, in the
borrower's language, before any service is called."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lidgeld.borrowers.checks import pin_is_well_formed
from lidgeld.borrowers.models import LANGUAGE_CHOICES

PIN_HELP = _("4 to 12 digits.")


class PortalForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def validate_pin(value: str) -> None:
    """The borrowers' one PIN rule (digits 0-9 only), said in the borrower's language."""
    if not pin_is_well_formed(value):
        raise ValidationError(_("A PIN is 4 to 12 digits."), code="invalid")


def pin_field(label: Any, *, autocomplete: str, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=12,
        strip=False,
        validators=[validate_pin],
        widget=forms.PasswordInput(
            attrs={"autocomplete": autocomplete, "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )


def card_field() -> forms.CharField:
    return forms.CharField(
        label=_("Card number"),
        help_text=_("The number under the barcode on your library card."),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


class LoginForm(PortalForm):
    card_number = card_field()
    # Any PIN is checked, even a malformed one: the answer must not differ.
    pin = forms.CharField(
        label=_("PIN"),
        max_length=12,
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "inputmode": "numeric"}
        ),
    )


class PinForgotForm(PortalForm):
    card_number = card_field()


class NewPinForm(PortalForm):
    new_pin = pin_field(_("New PIN"), autocomplete="new-password", help_text=PIN_HELP)
    repeat_pin = pin_field(_("New PIN again"), autocomplete="new-password")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        new, repeat = cleaned.get("new_pin"), cleaned.get("repeat_pin")
        if new and repeat and new != repeat:
            self.add_error("repeat_pin", _("The two new PINs are not the same. Type them again."))
        return cleaned


class PinChangeForm(NewPinForm):
    current_pin = pin_field(_("Current PIN"), autocomplete="current-password")
    field_order = ["current_pin", "new_pin", "repeat_pin"]


class EmailForm(PortalForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        help_text=_("Leave it empty to get your messages by letter."),
        error_messages={
            "invalid": _(
                "This is not an e-mail address like name@example.be. Check it, or leave it "
                "empty to get your messages by letter."
            )
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    pin = pin_field(
        _("Your PIN, to confirm"),
        autocomplete="current-password",
        help_text=_("A link to choose a new PIN is sent to this address, so we ask for your PIN."),
    )


class LanguageForm(PortalForm):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=LANGUAGE_CHOICES,
        widget=forms.RadioSelect,
        help_text=_("For these pages and for the messages we send you."),
    )


class SearchForm(PortalForm):
    q = forms.CharField(
        label=_("Title or barcode"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
