"""Reads of kiosk accounts and kiosk payments."""

from __future__ import annotations

from lidgeld.kiosks.models import KioskPayment


def kiosk_payment_earlier(*, terminal_id: int, transaction_id: str) -> KioskPayment | None:
    """The fee this terminal already booked under this transaction id (BK), if any."""
    return KioskPayment.objects.filter(
        terminal_id=terminal_id, transaction_id=transaction_id
    ).first()
