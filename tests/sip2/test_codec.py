"""The SIP2 codec: exact bytes out, tolerant reading in (no database)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lidgeld.sip2.codec import (
    LAYOUTS,
    ChecksumError,
    Junk,
    Malformed,
    Message,
    UnknownCommand,
    checksum,
    checksum_ok,
    decode,
    encode,
)

STAMP = "20260415    101500"


def test_checksum_is_the_twos_complement_of_the_16_bit_sum():
    # The example from the 3M SIP2 specification (as quoted by many clients).
    prefix = (
        b"09N20160419    12171320160419    121713APReading Room 1|AO830|AB830$28170815|AC|AY2AZ"
    )
    assert checksum(prefix) == "EB7C"
    assert (sum(prefix) + int(checksum(prefix), 16)) & 0xFFFF == 0


def test_a_checksum_is_four_uppercase_hex_digits_even_with_leading_zeros():
    prefix = bytes([0xFF]) * 257  # sum 0xFFFF → two's complement 0x0001
    assert checksum(prefix) == "0001"
    assert checksum_ok(prefix, "1")
    assert checksum_ok(prefix, "001")
    assert not checksum_ok(prefix, "2")
    assert not checksum_ok(prefix, "xyz")


def test_encode_writes_fixed_fields_then_fields_then_the_trailer():
    message = Message(
        "24",
        {"patron_status": " " * 14, "language": "005", "transaction_date": STAMP},
        (("AO", "GENT"), ("AA", "C1"), ("AE", "An Peeters"), ("BL", "Y")),
        sequence=3,
    )
    data = encode(message)
    assert data.startswith(b"24" + b" " * 14 + b"005" + STAMP.encode() + b"AOGENT|AAC1|")
    assert data.endswith(b"\r")
    body = data[:-1]
    assert body[-9:-4] == b"AY3AZ"  # then four hex digits
    assert checksum_ok(body[:-4], body[-4:].decode())
    assert decode(data) == message


def test_decode_reads_fixed_fields_by_name_and_keeps_unknown_fields_in_order():
    data = f"23005{STAMP}AAC1|ZZsomething new|AOGENT|AY1AZ"
    raw = data.encode() + checksum(data.encode()).encode() + b"\r"
    message = decode(raw)
    assert message.code == "23"
    assert message.fixed == {"language": "005", "transaction_date": STAMP}
    assert message.fields == (("AA", "C1"), ("ZZ", "something new"), ("AO", "GENT"))
    assert message.sequence == 1
    assert message.get("AO") == "GENT"
    assert message.get("AC") is None  # a 23 without AC/AD is fine


@pytest.mark.parametrize(
    "frame",
    [
        b"9300CNk|COp|\r",
        b"9300CNk|COp|\r\n",
        b"\n9300CNk|COp|\r",
        b"9300CNk|COp|",
        b"9300CNk|COp",  # last field without its terminator
    ],
)
def test_terminators_and_a_missing_last_bar_are_tolerated(frame):
    message = decode(frame)
    assert message.get("CN") == "k"
    assert message.get("CO") == "p"
    assert message.get("CP") is None  # a login without CP


def test_a_checksum_with_fewer_than_four_or_lowercase_digits_is_accepted():
    body = b"9900302.00AY1AZ"
    full = checksum(body)
    short = format(int(full, 16), "X")  # as a widely used client writes it
    assert decode(body + short.encode() + b"\r").sequence == 1
    assert decode(body + full.lower().encode() + b"\r").code == "99"


def test_a_checksum_that_has_lost_its_leading_zeros_is_accepted():
    # Find a message whose checksum starts with 0 and send it without the zeros.
    for n in range(2000):
        body = f"9300CNkiosk|CO{'~' * n}|AY0AZ".encode()
        if checksum(body).startswith("0"):
            break
    short = checksum(body).lstrip("0") or "0"
    assert len(short) < 4
    assert decode(body + short.encode() + b"\r").get("CN") == "kiosk"


def test_a_wrong_checksum_is_refused():
    body = b"9900302.00AY1AZ"
    wrong = (int(checksum(body), 16) + 1) & 0xFFFF
    with pytest.raises(ChecksumError):
        decode(body + f"{wrong:04X}".encode() + b"\r")


def test_junk_unknown_and_malformed_are_told_apart():
    with pytest.raises(Junk):
        decode(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
    with pytest.raises(Junk):
        decode(b"")
    with pytest.raises(UnknownCommand):
        decode(b"42hello|\r")
    with pytest.raises(Malformed):
        decode(b"23005\r")  # fixed part cut short
    with pytest.raises(Malformed):
        decode(f"23005{STAMP}A|".encode())  # a one-letter field


def test_encode_refuses_what_it_cannot_write_exactly():
    with pytest.raises(ValueError, match="fixed"):
        encode(Message("94", {"ok": "10"}))
    with pytest.raises(ValueError, match="terminator"):
        encode(Message("94", {"ok": "1"}, (("AF", "a|b"),)))
    with pytest.raises(ValueError, match="layout"):
        encode(Message("42"))


@pytest.mark.parametrize("charset", ["cp850", "latin-1"])
def test_the_euro_sign_is_written_as_EUR_where_the_charset_has_none(charset):
    message = Message("94", {"ok": "1"}, (("AF", "€ 12,00 für Désiré"),))
    data = encode(message, charset)
    assert decode(data, charset).get("AF") == "EUR 12,00 für Désiré"


def test_cp850_bytes_are_read_as_cp850():
    data = "9300CNDésiré|COpw|".encode("cp850")
    assert decode(data, "cp850").get("CN") == "Désiré"


# -- properties

field_ids = st.from_regex(r"\A[A-Z][A-Z0-9]\Z").filter(lambda f: f not in ("AY", "AZ"))
values = st.text(
    alphabet=st.characters(blacklist_characters="|\r\n", blacklist_categories=("Cs",)),
    max_size=40,
)
codes = st.sampled_from(sorted(LAYOUTS))


@st.composite
def messages(draw, charset="utf-8"):
    code = draw(codes)
    ascii_fixed = st.characters(min_codepoint=32, max_codepoint=126)
    fixed = {
        name: draw(st.text(alphabet=ascii_fixed, min_size=width, max_size=width))
        for name, width in LAYOUTS[code]
    }
    text = values
    if charset != "utf-8":
        text = values.filter(lambda v: _encodable(v, charset))
    fields = tuple(draw(st.lists(st.tuples(field_ids, text), max_size=6)))
    sequence = None if code in ("96", "97") else draw(st.none() | st.integers(0, 9))
    return Message(code, fixed, fields, sequence)


def _encodable(value: str, charset: str) -> bool:
    try:
        value.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(messages())
def test_decode_of_encode_is_the_message(message):
    assert decode(encode(message), "utf-8", errors="strict") == message


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["cp850", "latin-1"]).flatmap(lambda cs: st.tuples(st.just(cs), messages(cs)))
)
def test_decode_of_encode_is_the_message_in_every_kiosk_charset(case):
    charset, message = case
    assert decode(encode(message, charset), charset, errors="strict") == message


@settings(max_examples=300, deadline=None)
@given(messages(), st.sampled_from(["utf-8", "cp850", "latin-1"]))
def test_every_encoded_message_passes_checksum_verification(message, charset):
    data = encode(message, charset)
    assert data.endswith(b"\r")
    body = data[:-1]
    assert body[-6:-4] == b"AZ"
    assert all(c in b"0123456789ABCDEF" for c in body[-4:])
    assert (sum(body[:-4]) + int(body[-4:], 16)) & 0xFFFF == 0


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_raise_a_codec_error(data):
    with contextlib.suppress(Junk, UnknownCommand, Malformed, ChecksumError):
        decode(data)
