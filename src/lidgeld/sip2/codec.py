"""SIP2 (3M Standard Interchange Protocol 2.00) messages as values and as bytes.

Pure: no Django, no I/O. A message is a two-digit command code, a fixed-length
part whose layout depends on the code, variable fields ``XXvalue|`` in any
order (unknown ones are kept), and the error-detection trailer: a sequence
number ``AY<digit>`` and a checksum ``AZxxxx``. The checksum is computed over
the exact bytes sent, from the first byte up to and including ``AZ``: the
two's complement of their 16-bit sum, written as four uppercase hex digits.

Reading is tolerant, as real kiosks need: a CR, CRLF or leading LF around a
message, a checksum written with fewer than four (or lowercase) hex digits, a
last field without its ``|``. Writing is strict.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from datetime import date, datetime

CHARSETS = ("utf-8", "cp850", "latin-1")

# Fixed-length fields per command code, in wire order: (name, width).
_DATE = ("transaction_date", 18)
LAYOUTS: dict[str, tuple[tuple[str, int], ...]] = {
    # requests (self-check → ACS)
    "93": (("uid_algorithm", 1), ("pwd_algorithm", 1)),
    "99": (("status_code", 1), ("max_print_width", 3), ("protocol_version", 4)),
    "97": (),
    "23": (("language", 3), _DATE),
    "63": (("language", 3), _DATE, ("summary", 10)),
    "11": (("sc_renewal_policy", 1), ("no_block", 1), _DATE, ("nb_due_date", 18)),
    "09": (("no_block", 1), _DATE, ("return_date", 18)),
    "29": (("third_party_allowed", 1), ("no_block", 1), _DATE, ("nb_due_date", 18)),
    "65": (_DATE,),
    "17": (_DATE,),
    "37": (_DATE, ("fee_type", 2), ("payment_type", 2), ("currency_type", 3)),
    "35": (_DATE,),
    "01": (("card_retained", 1), _DATE),
    "15": (("hold_mode", 1), _DATE),
    "19": (_DATE,),
    "25": (_DATE,),
    # responses (ACS → self-check)
    "94": (("ok", 1),),
    "98": (
        ("online_status", 1),
        ("checkin_ok", 1),
        ("checkout_ok", 1),
        ("acs_renewal_policy", 1),
        ("status_update_ok", 1),
        ("offline_ok", 1),
        ("timeout_period", 3),
        ("retries_allowed", 3),
        ("date_time_sync", 18),
        ("protocol_version", 4),
    ),
    "96": (),
    "24": (("patron_status", 14), ("language", 3), _DATE),
    "64": (
        ("patron_status", 14),
        ("language", 3),
        _DATE,
        ("hold_items_count", 4),
        ("overdue_items_count", 4),
        ("charged_items_count", 4),
        ("fine_items_count", 4),
        ("recall_items_count", 4),
        ("unavailable_holds_count", 4),
    ),
    "12": (("ok", 1), ("renewal_ok", 1), ("magnetic_media", 1), ("desensitize", 1), _DATE),
    "10": (("ok", 1), ("resensitize", 1), ("magnetic_media", 1), ("alert", 1), _DATE),
    "30": (("ok", 1), ("renewal_ok", 1), ("magnetic_media", 1), ("desensitize", 1), _DATE),
    "66": (("ok", 1), ("renewed_count", 4), ("unrenewed_count", 4), _DATE),
    "18": (("circulation_status", 2), ("security_marker", 2), ("fee_type", 2), _DATE),
    "38": (("payment_accepted", 1), _DATE),
    "36": (("end_session", 1), _DATE),
    "16": (("ok", 1), ("available", 1), _DATE),
    "20": (("item_properties_ok", 1), _DATE),
    "26": (("patron_status", 14), ("language", 3), _DATE),
}

# Messages without a sequence number in their trailer (the spec's resend requests).
_NO_SEQUENCE = frozenset({"96", "97"})
_TRAILER = re.compile(rb"(?:AY([0-9]))?(?:AZ([0-9A-Fa-f]{1,4}))?\Z")
_FIELD_ID = re.compile(r"\A[A-Z0-9]{2}\Z")


class CodecError(ValueError):
    """Bytes that are not a SIP2 message we can read."""


class Junk(CodecError):
    """Not SIP2 at all (no two-digit command code): binary noise, a TLS hello, …"""


class UnknownCommand(CodecError):
    """A command code we have no layout for; its trailer is read, so the answer can
    carry the sequence number of the request."""

    def __init__(self, code: str, sequence: int | None = None) -> None:
        super().__init__(f"unknown SIP2 command {code!r}")
        self.code = code
        self.sequence = sequence


class Malformed(CodecError):
    """A known command whose fixed part or fields cannot be read."""


class ChecksumError(CodecError):
    """The AZ checksum does not match the bytes received."""


@dataclass(frozen=True)
class Message:
    code: str
    fixed: dict[str, str] = field(default_factory=dict)
    fields: tuple[tuple[str, str], ...] = ()
    sequence: int | None = None

    def get(self, field_id: str, default: str | None = None) -> str | None:
        """The first value of a variable field, ``default`` when it is absent."""
        for key, value in self.fields:
            if key == field_id:
                return value
        return default

    def all(self, field_id: str) -> list[str]:
        return [value for key, value in self.fields if key == field_id]

    def has(self, field_id: str) -> bool:
        return any(key == field_id for key, _ in self.fields)


def checksum(prefix: bytes) -> str:
    """Four uppercase hex digits: two's complement of the 16-bit sum of ``prefix``."""
    return f"{(-sum(prefix)) & 0xFFFF:04X}"


def checksum_ok(prefix: bytes, written: str) -> bool:
    """Tolerant check: ``written`` may have fewer than four digits or be lowercase."""
    try:
        value = int(written, 16)
    except ValueError:
        return False
    return (sum(prefix) + value) & 0xFFFF == 0


def _replace_unencodable(error: UnicodeError) -> tuple[str, int]:
    """Characters a kiosk's charset lacks: the euro sign as EUR, the rest as '?'."""
    assert isinstance(error, UnicodeEncodeError)
    bad = error.object[error.start : error.end]
    return "".join("EUR" if char == "€" else "?" for char in bad), error.end


codecs.register_error("sip2replace", _replace_unencodable)


def clean(text: str) -> str:
    """A value safe to put in a field: no field or message terminators."""
    return text.replace("|", "/").replace("\r", " ").replace("\n", " ")


CR = b"\r"
CRLF = b"\r\n"


def encode(
    message: Message,
    charset: str = "utf-8",
    *,
    error_detection: bool = True,
    terminator: bytes = CR,
) -> bytes:
    """The message as the bytes to send, ended by ``terminator`` (CR, or CRLF for
    clients that wait for a line feed; the checksum never covers the terminator).

    With ``error_detection`` the trailer is ``AY<seq>`` (when the message has a
    sequence number) followed by ``AZ`` and the checksum.
    """
    layout = LAYOUTS.get(message.code)
    if layout is None:
        raise ValueError(f"no layout for command {message.code!r}")
    names = [name for name, _ in layout]
    if sorted(message.fixed) != sorted(names):
        raise ValueError(f"command {message.code} needs fixed fields {names}")
    out = bytearray(message.code.encode("ascii"))
    for name, width in layout:
        value = message.fixed[name]
        if len(value) != width or not value.isascii() or any(c in value for c in "\r\n"):
            raise ValueError(f"fixed field {name} must be {width} ASCII characters, not {value!r}")
        out += value.encode("ascii")
    for field_id, value in message.fields:
        if not _FIELD_ID.match(field_id) or field_id in ("AY", "AZ"):
            raise ValueError(f"bad field identifier {field_id!r}")
        if any(c in value for c in "|\r\n"):
            raise ValueError(f"field {field_id} contains a terminator; use clean()")
        out += field_id.encode("ascii") + value.encode(charset, "sip2replace") + b"|"
    if error_detection:
        if message.sequence is not None and message.code not in _NO_SEQUENCE:
            if not 0 <= message.sequence <= 9:
                raise ValueError("the sequence number is one digit")
            out += b"AY" + str(message.sequence).encode("ascii")
        out += b"AZ"
        out += checksum(bytes(out)).encode("ascii")
    if terminator not in (CR, CRLF):
        raise ValueError("a message ends in CR or CRLF")
    out += terminator
    return bytes(out)


def decode(data: bytes, charset: str = "utf-8", *, errors: str = "replace") -> Message:
    """One message from the bytes of one frame (terminators around it are ignored).

    Raises Junk, UnknownCommand, Malformed or ChecksumError.
    """
    body = data.strip(b"\r\n")
    code_bytes = body[:2]
    if len(code_bytes) < 2 or not code_bytes.isdigit():
        raise Junk("no SIP2 command code")
    code = code_bytes.decode("ascii")
    layout = LAYOUTS.get(code)
    if layout is None:
        raise UnknownCommand(code, _unknown_sequence(body))
    width = sum(size for _, size in layout)
    fixed_bytes = body[2 : 2 + width]
    if len(fixed_bytes) < width:
        raise Malformed(f"command {code}: the fixed part is {width} characters")
    rest = body[2 + width :]
    # The trailer can only follow the last field terminator.
    tail_start = rest.rfind(b"|") + 1
    trailer = _TRAILER.search(rest, tail_start)
    assert trailer is not None  # the pattern also matches the empty string at the end
    sequence = int(trailer.group(1)) if trailer.group(1) is not None else None
    if trailer.group(2) is not None:
        az_end = 2 + width + trailer.start(2)  # index just after "AZ" in body
        if not checksum_ok(body[:az_end], trailer.group(2).decode("ascii")):
            raise ChecksumError(f"command {code}: bad checksum")
    try:
        fixed_text = fixed_bytes.decode("ascii")
    except UnicodeDecodeError:
        raise Malformed(f"command {code}: the fixed part is not ASCII") from None
    fixed: dict[str, str] = {}
    position = 0
    for name, size in layout:
        fixed[name] = fixed_text[position : position + size]
        position += size
    fields: list[tuple[str, str]] = []
    for piece in rest[: trailer.start()].split(b"|"):
        if not piece:
            continue
        field_id = piece[:2]
        if len(field_id) < 2 or not field_id.isascii() or not field_id.isalnum():
            raise Malformed(f"command {code}: bad field {piece[:10]!r}")
        try:
            value = piece[2:].decode(charset, errors)
        except UnicodeDecodeError:
            raise Malformed(f"command {code}: field {field_id!r} is not {charset}") from None
        fields.append((field_id.decode("ascii"), value))
    return Message(code=code, fixed=fixed, fields=tuple(fields), sequence=sequence)


def _unknown_sequence(body: bytes) -> int | None:
    """The sequence number of a message we cannot read, when its checksum holds."""
    trailer = _TRAILER.search(body, body.rfind(b"|") + 1)
    if trailer is None or trailer.group(1) is None:
        return None
    if trailer.group(2) is not None and not checksum_ok(
        body[: trailer.start(2)], trailer.group(2).decode("ascii")
    ):
        raise ChecksumError(f"command {body[:2]!r}: bad checksum")
    return int(trailer.group(1))


def sip_datetime(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> str:
    """The 18-character SIP2 date: ``YYYYMMDD    HHMMSS`` (local time, zone left blank)."""
    return f"{year:04d}{month:02d}{day:02d}    {hour:02d}{minute:02d}{second:02d}"


def sip_date(moment: datetime | date) -> str:
    """A SIP2 date field: ``YYYYMMDD    HHMMSS`` (a day alone: the end of that day)."""
    if isinstance(moment, datetime):
        return moment.strftime("%Y%m%d    %H%M%S")
    return moment.strftime("%Y%m%d") + "    235959"
