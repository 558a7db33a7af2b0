from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from lidgeld.admin_base import ReadOnlyAdmin, request_moment, staff_actor
from lidgeld.errors import InvalidInput
from lidgeld.kiosks.models import KioskPayment, Terminal
from lidgeld.kiosks.services import terminal_add, terminal_check


class TerminalAddForm(forms.ModelForm):
    """A new kiosk account. The password goes through the service, stored hashed."""

    password = forms.CharField(label="wachtwoord (CO)", widget=forms.PasswordInput, strip=False)

    class Meta:
        model = Terminal
        fields = ["login", "instance", "location", "charset"]

    def _post_clean(self) -> None:
        # The service creates the row; the model's own validation would ask for the hash.
        pass

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            terminal_check(
                login=data.get("login") or "",
                password=data.get("password") or "",
                location=data.get("location") or "",
                charset=data.get("charset") or "utf-8",
            )
        except InvalidInput as error:
            raise forms.ValidationError(error.localized()) from None
        return data


@admin.register(Terminal)
class TerminalAdmin(ReadOnlyAdmin):
    """Kiosk accounts: added here or with ``lidgeld terminal add``; a password is never shown."""

    list_display = ("login", "instance", "location", "charset", "enabled", "created_at")
    list_filter = ("instance", "enabled", "charset")
    list_select_related = ("instance",)
    search_fields = ("login", "location")
    exclude = ("password_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("sip2.add_terminal")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = TerminalAddForm
            kwargs["fields"] = ["login", "password", "instance", "location", "charset"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["login", "password", "instance", "location", "charset"]
        return super().get_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: Terminal, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = terminal_add(
            login=data["login"],
            password=data["password"],
            instance_code=data["instance"].code,
            location=data.get("location") or "",
            charset=data.get("charset") or "utf-8",
            today=request_moment(request).today,
            now=request_moment(request).now,
            actor=staff_actor(request),
        )
        obj.pk = saved.pk
        obj.login = saved.login


@admin.register(KioskPayment)
class KioskPaymentAdmin(ReadOnlyAdmin):
    """Fees paid at a kiosk, once per transaction id: why a repeated 37 booked nothing."""

    list_display = ("created_at", "terminal", "transaction_id", "card_number", "amount")
    list_filter = ("terminal",)
    list_select_related = ("terminal",)
    search_fields = ("transaction_id", "card_number", "terminal__login")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
