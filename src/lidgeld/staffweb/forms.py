"""Forms of the back-office pages. They read what was typed into plain values; the
rules (what a setting may be, who may give which access) are the services' to check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lidgeld.domain.ages import OLDEST_AGE
from lidgeld.domain.amounts import AmountError, parse_amount
from lidgeld.domain.blocks import format_amount
from lidgeld.errors import InvalidInput
from lidgeld.kiosks.models import CHARSETS, TERMINATORS
from lidgeld.libraries.models import Instance
from lidgeld.libraries.services import INSTANCE_NUMBER_LIMITS
from lidgeld.notices.models import NoticeTemplate
from lidgeld.staff.models import Role


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _lines(value: Any) -> Any:
    """Browsers send a textarea's line breaks as CR LF; texts are kept with LF only."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class LinesForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        return {name: _lines(value) for name, value in data.items()}


def _number(label: Any, field: str, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=INSTANCE_NUMBER_LIMITS[field],
        help_text=help_text,
        widget=forms.NumberInput(attrs={"class": "short"}),
    )


RENEWAL_BASES = [
    ("combination", _("combination: after the old end while it runs or ended within the grace")),
    ("expiry", _("expiry: always the day after the old end")),
    ("now", _("now: always from the day of the renewal")),
]


class InstanceSettingsForm(LinesForm):
    """One library's details and policy, grouped as the page shows them."""

    SECTIONS = (
        (_("Library"), ("name", "address", "opening_hours", "portal_url")),
        (
            _("Notices"),
            (
                "sender_name",
                "sender_email",
                "reply_to_email",
                "notice_max_delay_days",
                "notice_end_of_contribution",
                "notice_reminder",
                "notice_unpaid",
                "notice_renewal",
            ),
        ),
        (_("Payment by transfer"), ("iban", "bic")),
        (_("Renewal (R1)"), ("renewal_base", "renewal_grace_days")),
        (
            _("Unpaid contributions (R6), in months after the month of booking"),
            ("reminder_after_months", "unpaid_after_months", "write_off_after_months"),
        ),
        (
            _("Renewing online in Mijn Bibliotheek"),
            ("portal_renewal", "portal_renewal_window_months"),
        ),
        (_("The desk"), ("card_fee", "card_fee_booking_code", "notice_old_email")),
    )

    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    opening_hours = forms.CharField(
        label=_("Opening hours"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    portal_url = forms.CharField(
        label=_("Address of Mijn Bibliotheek"), required=False, max_length=200
    )
    sender_name = forms.CharField(label=_("Sender name"), required=False, max_length=200)
    sender_email = forms.CharField(label=_("Sender e-mail address"), required=False, max_length=254)
    reply_to_email = forms.CharField(label=_("Reply-to address"), required=False, max_length=254)
    notice_max_delay_days = _number(
        _("Latest a notice may go out (days late)"),
        "notice_max_delay_days",
        _("A CAE that could only go out later than this (the system was down) is skipped."),
    )
    notice_end_of_contribution = forms.BooleanField(
        label=_("CAE – end of contribution (on the 1st of the last month)"), required=False
    )
    notice_reminder = forms.BooleanField(label=_("CHR – contribution reminder"), required=False)
    notice_unpaid = forms.BooleanField(label=_("CNB – contribution unpaid"), required=False)
    notice_renewal = forms.BooleanField(label=_("CVL – renewal confirmation"), required=False)
    iban = forms.CharField(label=_("IBAN"), required=False, max_length=42)
    bic = forms.CharField(label=_("BIC"), required=False, max_length=11)
    renewal_base = forms.ChoiceField(label=_("A renewal starts"), choices=RENEWAL_BASES)
    renewal_grace_days = _number(
        _("Grace (days)"),
        "renewal_grace_days",
        _("How long after its end a membership still renews without a gap."),
    )
    reminder_after_months = _number(_("Reminder (herinnering) after"), "reminder_after_months")
    unpaid_after_months = _number(_("Unpaid (niet betaald) after"), "unpaid_after_months")
    write_off_after_months = _number(
        _("Invalidated and written off after"), "write_off_after_months"
    )
    portal_renewal = forms.BooleanField(label=_("Borrowers may renew online"), required=False)
    portal_renewal_window_months = _number(
        _("Online renewal opens (months before the end)"),
        "portal_renewal_window_months",
        _("1: from the 1st of the month the membership ends; 0: only once it has ended."),
    )

    card_fee = forms.CharField(
        label=_("A new card costs (euros)"),
        max_length=12,
        help_text=_("0 when a replaced card is free."),
        widget=forms.TextInput(attrs={"class": "short"}),
    )
    card_fee_booking_code = _number(
        _("Booking code of the card fee"),
        "card_fee_booking_code",
        _("Outside 1000-1999, so a card fee never counts as an unpaid contribution."),
    )
    notice_old_email = forms.BooleanField(
        label=_("Tell the old address when an e-mail address changes"), required=False
    )

    @classmethod
    def for_instance(cls, instance: Instance, data: Any = None) -> InstanceSettingsForm:
        initial = {name: getattr(instance, name) for name in cls.base_fields}
        initial["card_fee"] = format_amount(instance.card_fee, "nl")
        return cls(data, initial=initial)

    def clean_card_fee(self) -> Decimal:
        try:
            return parse_amount(self.cleaned_data["card_fee"], allow_zero=True)
        except AmountError as refusal:
            raise forms.ValidationError(InvalidInput.of(refusal).localized()) from None

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def changes(self, instance: Instance) -> dict[str, object]:
        """Only what differs, so the audit says what was changed."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value != getattr(instance, name)
        }


class TerminalAddForm(forms.Form):
    login = forms.CharField(label=_("Login (CN)"), max_length=60)
    password = forms.CharField(
        label=_("Password (CO)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=60)
    charset = forms.ChoiceField(label=_("Character set"), choices=CHARSETS, initial="utf-8")
    terminator = forms.ChoiceField(
        label=_("Line end"),
        choices=TERMINATORS,
        initial="auto",
        required=False,  # a form without it (an older page, a script) keeps "auto"
        help_text=_("auto: as the kiosk ends its own messages; CRLF for a kiosk that waits for it"),
    )


class TerminatorForm(forms.Form):
    terminator = forms.ChoiceField(label=_("Line end"), choices=TERMINATORS)


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


ROLE_LABELS: dict[str, Any] = dict(Role.choices)


class AccountForm(forms.Form):
    """Role and libraries of a staff account (and, for a new one, name and password)."""

    role = forms.ChoiceField(
        label=_("Role"), choices=list(ROLE_LABELS.items()), widget=forms.RadioSelect
    )
    instances = forms.MultipleChoiceField(
        label=_("Libraries"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args: Any, libraries: list[Instance], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instances: Any = self.fields["instances"]
        instances.choices = [
            (instance.code, f"{instance.code} — {instance.name}") for instance in libraries
        ]


class AccountAddForm(AccountForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = ["username", "password", "role", "instances"]


class AccountEditForm(AccountForm):
    active = forms.BooleanField(label=_("May log in"), required=False)


class NoticeTemplateForm(LinesForm):
    """A notice text; with dates, a closure override for notices dated in that window."""

    valid_from = forms.DateField(label=_("First day"), required=False, widget=DateInput())
    valid_until = forms.DateField(label=_("Last day"), required=False, widget=DateInput())
    subject = forms.CharField(label=_("Subject"), max_length=300, strip=False)
    body_text = forms.CharField(
        label=_("Text"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "true"}),
    )
    body_html = forms.CharField(
        label=_("HTML version (optional)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )

    @classmethod
    def initial_from(cls, source: Any, override: NoticeTemplate | None = None) -> dict[str, Any]:
        initial = {
            "subject": source.subject,
            "body_text": source.body_text,
            "body_html": source.body_html,
        }
        if override is not None:
            initial |= {"valid_from": override.valid_from, "valid_until": override.valid_until}
        return initial


class PreviewForm(LinesForm):
    """What the live preview is asked: the text as typed so far, for whom, on which day."""

    subject = forms.CharField(required=False, strip=False)
    body_text = forms.CharField(required=False, strip=False)
    body_html = forms.CharField(required=False, strip=False)
    card = forms.CharField(required=False)
    on = forms.DateField(required=False)
    valid_from = forms.DateField(required=False)


def _age(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=OLDEST_AGE,
        widget=forms.NumberInput(attrs={"class": "short"}),
    )


class TypeLimitsForm(forms.Form):
    """R12: a type's age limits and the type that follows, as typed; empty is no limit."""

    min_age = _age(_("Minimum age"))
    max_age = _age(_("Maximum age"))
    next_type = forms.TypedChoiceField(
        label=_("Type that follows past the maximum age"), required=False, coerce=int,
        empty_value=None,
    )  # fmt: skip

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["next_type"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("none"))] + [(pk, name) for pk, name in choices]
