from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.services import audit_record, audited_update
from lidgeld.borrowers.models import Borrower
from lidgeld.domain.actors import portal_actor
from lidgeld.domain.addresses import masked_email
from lidgeld.errors import InvalidInput
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import Membership
from lidgeld.notices.batch import EMAIL_PATTERN
from lidgeld.notices.models import (
    KIND_AGE_LIMIT,
    KIND_EMAIL_CHANGED,
    KIND_END_OF_CONTRIBUTION,
    KIND_NAMES,
    KIND_REMINDER,
    KIND_RENEWAL,
    KIND_UNPAID,
    TYPE_CONTRIBUTION,
    Channel,
    Message,
    MessageStatus,
    NoticeTemplate,
)
from lidgeld.notices.rendering import RenderFailure, message_render_and_keep
from lidgeld.notices.template_validation import validate_template
from lidgeld.scope import Scope, manage_check

KIND_SWITCHES = {
    KIND_END_OF_CONTRIBUTION: "notice_end_of_contribution",
    KIND_REMINDER: "notice_reminder",
    KIND_UNPAID: "notice_unpaid",
    KIND_RENEWAL: "notice_renewal",
    KIND_EMAIL_CHANGED: "notice_old_email",
}
# Kinds that go out with another kind's switch: the age-limit CAE is a CAE (R4, R12).
SHARED_SWITCHES = {KIND_AGE_LIMIT: KIND_END_OF_CONTRIBUTION}
LANGUAGES = ("nl", "fr", "en")


def kind_switch(kind: str) -> str:
    """The library's field that switches notices of ``kind`` on or off."""
    return KIND_SWITCHES[SHARED_SWITCHES.get(kind, kind)]


def check_kind(kind: str) -> str:
    """A kind as staff write it, with the message type in front (CAE, CAEL) or not."""
    kind = kind.strip().upper()
    if kind not in KIND_NAMES and kind.startswith("C") and kind[1:] in KIND_NAMES:
        kind = kind[1:]
    if kind not in KIND_NAMES:
        known = ", ".join(f"{code} ({name})" for code, name in KIND_NAMES.items())
        raise InvalidInput(
            _("unknown notice kind '%(kind)s'; known: %(known)s"),
            code="unknown_notice_kind",
            params={"kind": kind, "known": known},
        )
    return kind


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidInput(
            _("language must be nl, fr or en, not '%(language)s'"),
            code="unknown_language",
            params={"language": language},
        )
    return language


def notice_template_save(
    *,
    instance: Instance,
    kind: str,
    language: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    valid_from: date | None = None,
    valid_until: date | None = None,
    today: date,
    now: datetime,
    actor: str,
    within: Scope | None = None,
) -> NoticeTemplate:
    """A library's own text; with dates, an override for notices dated in that window.

    Refused as a whole, with the line and the name that is wrong, when the text
    uses anything but the documented placeholders.
    """
    manage_check(within, instance, role="coordinator", what=_("the notice texts"))
    kind = check_kind(kind)
    language = check_language(language)
    if (valid_from is None) != (valid_until is None):
        raise InvalidInput(
            _("an override needs both a first and a last day"), code="override_days_missing"
        )
    if valid_from is not None and valid_until is not None and valid_from > valid_until:
        raise InvalidInput(
            _("the override's first day is after its last day"), code="override_days_reversed"
        )
    validate_template(subject=subject, body_text=body_text, body_html=body_html)
    with transaction.atomic():
        existing = NoticeTemplate.objects.filter(
            instance=instance,
            kind=kind,
            language=language,
            valid_from=valid_from,
            valid_until=valid_until,
        ).first()
        before = (
            {
                "subject": existing.subject,
                "body_text": existing.body_text,
                "body_html": existing.body_html,
            }
            if existing
            else None
        )
        template = existing or NoticeTemplate(
            instance=instance,
            kind=kind,
            language=language,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        template.subject = subject.strip()
        template.body_text = body_text
        template.body_html = body_html
        template.updated_at = now
        template.updated_by = actor
        template.save()
        audit_record(
            actor=actor,
            action="notice_template.saved",
            obj=template,
            today=today,
            now=now,
            instance_id=instance.pk,
            before=before,
            after={
                "kind": kind,
                "language": language,
                "subject": template.subject,
                "body_text": body_text,
                "body_html": body_html,
                "valid_from": valid_from.isoformat() if valid_from else None,
                "valid_until": valid_until.isoformat() if valid_until else None,
            },
        )
        return template


def notice_kinds_set(
    *,
    instance: Instance,
    enabled: dict[str, bool],
    today: date,
    now: datetime,
    actor: str,
    within: Scope | None = None,
) -> Instance:
    """Switch notice kinds on or off for one library."""
    manage_check(within, instance, role="coordinator", what=_("which notices go out"))
    changes = {kind_switch(check_kind(kind)): on for kind, on in enabled.items()}
    return audited_update(
        Instance, pk=instance.pk, changes=changes, action="instance.notices_changed",
        actor=actor, today=today, now=now, instance_id=lambda row: row.pk,
    )  # fmt: skip


def usable_email(address: str) -> bool:
    return bool(EMAIL_PATTERN.match(address or ""))


def renewal_confirmation_queue(
    *, membership: Membership, today: date, now: datetime, always: bool = False
) -> Message | None:
    """Written in the renewal's own transaction (the outbox), when the library wants it,
    or ``always`` — a borrower who renewed online gets the payment instructions whatever
    the library chose for desk renewals, where staff hand them over."""
    instance = membership.instance
    if not (instance.notice_renewal or always):
        return None
    borrower = membership.borrower
    email = borrower.email if usable_email(borrower.email) else ""
    return Message.objects.create(
        borrower=borrower,
        instance=instance,
        membership=membership,
        type=TYPE_CONTRIBUTION,
        kind=KIND_RENEWAL,
        date=today,
        channel=Channel.EMAIL if email else Channel.LETTER,
        status=MessageStatus.QUEUED,
        language=borrower.language,
        to_address=email,
        created_at=now,
    )


def email_change_notice_queue(
    *,
    borrower: Borrower,
    old_address: str,
    new_address: str,
    today: date,
    now: datetime,
    actor: str,
) -> Message | None:
    """Issue 13: tell the old address that the account's e-mail address changed, when
    the borrower's library wants it (``notice_old_email``) and there is an old address
    to tell (else None: the new address is not told, nothing goes on paper, and an
    address that differs only in capitals is the same mailbox).

    Written in the caller's transaction (the outbox) and delivered by the sender like
    every notice, but rendered at once: the masked new address and where the change was
    made exist only now, and the text kept is what goes out. A library text that cannot
    be rendered fails this notice with the reason, as the sender would; never the change.
    """
    old, new = old_address.strip(), new_address.strip()
    if not usable_email(old) or old.casefold() == new.casefold():
        return None
    instance = Instance.objects.get(pk=borrower.home_instance_id)  # fresh: its switch now
    if not instance.notice_old_email:
        return None
    message = Message.objects.create(
        borrower=borrower,
        instance=instance,
        type=TYPE_CONTRIBUTION,
        kind=KIND_EMAIL_CHANGED,
        date=today,
        channel=Channel.EMAIL,
        status=MessageStatus.QUEUED,
        language=borrower.language,
        to_address=old,
        created_at=now,
    )
    values = {
        "new_email_masked": masked_email(new) if new else "",
        "changed_in_portal": "ja" if actor.startswith(portal_actor("")) else "",
    }
    try:
        message_render_and_keep(message, templates=None, now=now, values=values)
    except RenderFailure as failure:
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.FAILED, last_error=f"cannot render the notice: {failure.message}"
        )
        message.refresh_from_db()
    return message


def notice_override_delete(
    *, template: NoticeTemplate, today: date, now: datetime, actor: str, within: Scope | None = None
) -> None:
    """Remove a dated override (the library reopened early, the dates were wrong).

    A standing text is not deleted this way: it is what the library sends every
    month, so it is changed, not removed."""
    manage_check(within, template.instance, role="coordinator", what=_("the notice texts"))
    if template.valid_from is None:
        raise InvalidInput(
            _("only a dated override can be deleted; change the standing text instead"),
            code="standing_text",
        )
    with transaction.atomic():
        locked = NoticeTemplate.objects.select_for_update().filter(pk=template.pk).first()
        if locked is None:
            raise InvalidInput(_("this override was deleted already"), code="override_gone")
        before = {
            "kind": locked.kind,
            "language": locked.language,
            "subject": locked.subject,
            "body_text": locked.body_text,
            "body_html": locked.body_html,
            "valid_from": locked.valid_from.isoformat() if locked.valid_from else None,
            "valid_until": locked.valid_until.isoformat() if locked.valid_until else None,
        }
        audit_record(
            actor=actor,
            action="notice_template.deleted",
            obj=locked,
            today=today,
            now=now,
            instance_id=locked.instance_id,
            before=before,
        )
        locked.delete()
