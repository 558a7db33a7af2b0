"""Drawing the EPC QR code ("scan to pay") of a payload from :mod:`lidgeld.domain.epc_qr`.

EPC069-12 asks for error correction level M and at most QR version 13; segno is told
not to raise the level on its own (``boost_error=False``), and the payload is encoded as
UTF-8 bytes without an ECI header: the character set is line 3 of the payload itself.

* :func:`epc_qr_svg` for HTML pages (the portal, the desk). Many mail programs do not
  show inline SVG, so HTML mail should embed the PNG (``cid:`` attachment) instead.
* :func:`epc_qr_png` for PDF letters and mail attachments.
"""

from __future__ import annotations

import io

import segno

MAX_VERSION = 13  # EPC069-12: 331 bytes at level M fill exactly version 13
BORDER = 4  # the quiet zone the QR standard asks for, in modules


def _qr(payload: str) -> segno.QRCode:
    qr = segno.make_qr(payload, error="m", boost_error=False, encoding="utf-8")
    version = qr.version  # an int: make_qr never makes a Micro QR ("M1" … "M4")
    if not isinstance(version, int) or version > MAX_VERSION:
        raise ValueError(
            f"the EPC QR payload needs QR version {version}, at most {MAX_VERSION} is allowed"
        )
    return qr


def epc_qr_svg(payload: str, *, scale: int = 4, title: str = "EPC QR: scan to pay") -> str:
    """An ``<svg>`` element (no XML declaration) to put inline in an HTML page. It has its
    own white background, so it scans on a page in dark mode too."""
    return str(
        _qr(payload).svg_inline(scale=scale, border=BORDER, dark="#000", light="#fff", title=title)
    )


def epc_qr_png(payload: str, scale: int = 5) -> bytes:
    """A black-on-white PNG, ``scale`` pixels per module: 5 gives 225 to 285 pixels for
    the payloads lidgeld makes. A PDF letter places it at its own size (2.5 cm or more
    reads well with a phone camera)."""
    buffer = io.BytesIO()
    _qr(payload).save(buffer, kind="png", scale=scale, border=BORDER)
    return buffer.getvalue()
