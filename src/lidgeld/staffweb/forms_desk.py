"""Forms of the desk's borrower pages: register, correct the details, set the PIN.

They read what was typed into plain values and say where a refusal belongs; whether a
postcode, an e-mail address, a card number or a PIN is right is for the services to
say (lidgeld.borrowers.checks has the one check of each detail)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lidgeld.borrowers.checks import DETAIL_FIELDS, FIELD_WORDS
from lidgeld.borrowers.models import LANGUAGE_CHOICES, Borrower
from lidgeld.errors import LidgeldError
from lidgeld.exports.formatting import format_money_be
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import MembershipType, TypeKind
from lidgeld.scope import Scope
from lidgeld.staffweb.forms import DateInput

# Which field a refusal's code is about, so the sentence is shown beside it too.
ERROR_FIELDS = {
    "card_malformed": "card_number",
    "card_in_use": "card_number",
    "name_missing": "first_name",
    "birth_date_impossible": "birth_date",
    "country_invalid": "country",
    "postcode_invalid": "postal_code",
    "email_invalid": "email",
    "phone_invalid": "phone",
    "unknown_language": "language",
    "pin_malformed": "pin",
    "type_of_other_instance": "membership_type",
}
# "too_long" names its field by the word people use for it
FIELD_BY_WORD = {str(word): field for field, word in FIELD_WORDS.items()}


def _text(label: Any, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, strip=False, widget=forms.TextInput(attrs=attrs)
    )


class RefusalsForm(forms.Form):
    """A form that can show a service's refusal beside the field it is about."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def refusal(self, error: LidgeldError) -> str:
        """Put the refusal's sentence beside its field (when it is clear which one) and
        return it for the top of the page."""
        sentence = error.localized()
        field = ERROR_FIELDS.get(error.code)
        if error.code == "too_long":
            field = FIELD_BY_WORD.get(str(error.params.get("field", "")))
        if field in self.fields:
            self.add_error(field, sentence)
        return sentence


class DetailsForm(RefusalsForm):
    """The borrower's details, in the order ``DETAIL_FIELDS`` has them."""

    first_name = _text(_("First name"), autocomplete="off", required=True)
    last_name = _text(_("Last name"), autocomplete="off", required=True)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    street = _text(_("Street"), autocomplete="off")
    house_number = _text(_("House number"), autocomplete="off", size=6)
    box = _text(_("Box"), autocomplete="off", size=6)
    postal_code = _text(_("Postcode"), autocomplete="off", size=6, inputmode="numeric")
    city = _text(_("Municipality"), autocomplete="off")
    country = _text(_("Country"), autocomplete="off", size=3, maxlength=2)
    email = forms.CharField(
        label=_("E-mail address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"), required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, initial="nl")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].initial = "BE"
        self.fields["country"].help_text = _("Two letters: BE, NL, FR, …")

    def details(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in DETAIL_FIELDS}

    def groups(self) -> dict[str, list[Any]]:
        """The fields as the page groups them."""
        return {name: [self[field] for field in fields] for name, fields in self.GROUPS}

    GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("person", ("first_name", "last_name", "birth_date", "email", "phone", "language")),
        ("address", ("street", "house_number", "box", "postal_code", "city", "country")),
    )

    @classmethod
    def initial_of(cls, borrower: Borrower) -> dict[str, Any]:
        return {field: getattr(borrower, field) for field in DETAIL_FIELDS}


FEE_CHOICES = [("paid", _("paid now")), ("open", _("left open"))]
PIN_CHOICES = [
    ("borrower", _("the borrower types it (next screen)")),
    ("generate", _("generate it and print a slip")),
    ("none", _("no PIN for now")),
]


class TypeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        fee = format_money_be(obj.fee) if obj.kind == TypeKind.PAYING else str(_("free"))
        return str(
            _("%(library)s — %(name)s (%(fee)s, %(months)d months)")
            % {"library": obj.instance.code, "name": obj.name, "fee": fee, "months": obj.months}
        )


class LibraryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


def own_libraries(scope: Scope) -> QuerySet[Instance]:
    """The libraries a staff member registers borrowers in: their own ones."""
    libraries = Instance.objects.order_by("code")
    if scope.own_ids is None:
        return libraries
    return libraries.filter(pk__in=sorted(scope.own_ids))


class RegistrationForm(DetailsForm):
    """A new borrower: the details, the card, the home library and a first membership."""

    card_number = _text(
        _("Card number"), autocomplete="off", **{"data-scan": "1", "required": True}
    )
    home_instance = LibraryChoice(label=_("Home library"), queryset=Instance.objects.none())
    membership_type = TypeChoice(
        label=_("Membership type"),
        queryset=MembershipType.objects.none(),
        required=False,
        empty_label=_("no membership for now"),
    )
    start = forms.DateField(label=_("Start of the membership"), required=False, widget=DateInput())
    fee = forms.ChoiceField(
        label=_("Fee"), choices=FEE_CHOICES, initial="paid", widget=forms.RadioSelect
    )
    pin_mode = forms.ChoiceField(
        label=_("PIN"), choices=PIN_CHOICES, initial="borrower", widget=forms.RadioSelect
    )

    GROUPS = (
        *DetailsForm.GROUPS,
        (
            "membership",
            ("card_number", "home_instance", "membership_type", "start", "fee", "pin_mode"),
        ),
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        libraries = own_libraries(scope)
        library_field: Any = self.fields["home_instance"]
        library_field.queryset = libraries
        ids = list(libraries.values_list("pk", flat=True)[:2])
        if len(ids) == 1:
            library_field.initial = ids[0]
            library_field.empty_label = None
        type_field: Any = self.fields["membership_type"]
        type_field.queryset = (
            MembershipType.objects.filter(instance__in=libraries)
            .select_related("instance")
            .order_by("instance__code", "name")
        )
        self.fields["card_number"].help_text = _("Type it or scan the card.")
        self.fields["start"].help_text = _("Today when left empty.")

    def registration(self) -> dict[str, Any]:
        """The values ``borrower_register`` is called with, PIN and duplicates aside."""
        data = self.cleaned_data
        return {
            **self.details(),
            "card_number": data["card_number"],
            "instance": data["home_instance"],
            "membership_type": data["membership_type"],
            "start": data["start"],
            "paid": data["fee"] == "paid",
        }

    def kept(self) -> dict[str, str]:
        """What was typed, to send the form again after the borrower typed the PIN."""
        return {name: self.data.get(name, "") for name in self.fields}


class PinForm(RefusalsForm):
    """The PIN typed twice, masked and never shown back."""

    pin = forms.CharField(
        label=_("PIN"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "new-password", "inputmode": "numeric"}, render_value=False
        ),
    )
    pin_again = forms.CharField(
        label=_("PIN again"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "new-password", "inputmode": "numeric"}, render_value=False
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("pin") and data.get("pin_again") and data["pin"] != data["pin_again"]:
            self.add_error("pin_again", _("The two PINs differ; type the same PIN twice."))
        return data
