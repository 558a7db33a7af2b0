from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from lidgeld.admin_base import ReadOnlyAdmin, request_moment, staff_actor
from lidgeld.errors import InvalidInput
from lidgeld.notices.models import LetterBatch, Message, NoticeTemplate
from lidgeld.notices.rendering import PLACEHOLDERS
from lidgeld.notices.services import notice_template_save
from lidgeld.notices.template_validation import validate_template


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """Notices and the outbox (status *queued*)."""

    list_display = (
        "date",
        "borrower",
        "code",
        "channel",
        "status",
        "to_address",
        "subject",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "channel", "type", "kind", "instance")
    list_select_related = ("borrower", "instance")
    search_fields = ("borrower__card_number", "to_address", "subject")
    date_hierarchy = "date"
    fields = (
        "borrower",
        "instance",
        "membership",
        "type",
        "kind",
        "date",
        "channel",
        "status",
        "language",
        "to_address",
        "subject",
        "body",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "letter_batch",
    )

    @admin.display(description="bericht", ordering="kind")
    def code(self, message: Message) -> str:
        return message.code


@admin.register(LetterBatch)
class LetterBatchAdmin(ReadOnlyAdmin):
    """Printed letters: a batch per PDF, confirmed printed by staff (Brieven, or
    ``lidgeld letters --confirm``)."""

    list_display = ("pk", "day", "letters", "created_at", "created_by", "printed_at", "printed_by")
    list_filter = ("day",)
    date_hierarchy = "day"


class NoticeTemplateForm(forms.ModelForm):
    class Meta:
        model = NoticeTemplate
        fields = [
            "instance",
            "kind",
            "language",
            "subject",
            "body_text",
            "body_html",
            "valid_from",
            "valid_until",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            validate_template(
                subject=data.get("subject") or "",
                body_text=data.get("body_text") or "",
                body_html=data.get("body_html") or "",
            )
        except InvalidInput as error:
            raise forms.ValidationError(error.localized()) from None
        return data


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(admin.ModelAdmin):
    """A library's own notice texts; saved through the service, so checked and audited."""

    form = NoticeTemplateForm
    list_display = (
        "instance",
        "kind",
        "language",
        "subject",
        "valid_from",
        "valid_until",
        "updated_by",
    )
    list_filter = ("instance", "kind", "language")
    list_select_related = ("instance",)
    readonly_fields = ("placeholders", "updated_at", "updated_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fixed = ("instance", "kind", "language", "valid_from", "valid_until") if obj else ()
        return (*fixed, *self.readonly_fields)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="beschikbare velden")
    def placeholders(self, obj: Any = None) -> str:
        return format_html_join(
            mark_safe("<br>"),
            "<code>{{{{ {} }}}}</code> {}",
            PLACEHOLDERS.items(),
        )

    def save_model(
        self, request: HttpRequest, obj: NoticeTemplate, form: Any, change: bool
    ) -> None:
        saved = notice_template_save(
            instance=obj.instance,
            kind=obj.kind,
            language=obj.language,
            subject=obj.subject,
            body_text=obj.body_text,
            body_html=obj.body_html,
            valid_from=obj.valid_from,
            valid_until=obj.valid_until,
            today=request_moment(request).today,
            now=request_moment(request).now,
            actor=staff_actor(request),
        )
        obj.pk = saved.pk
        obj.updated_at = saved.updated_at
        obj.updated_by = saved.updated_by
