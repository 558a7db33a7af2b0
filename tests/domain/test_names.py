"""The search key of a name: what the desk types finds what was registered."""

import pytest

from lidgeld.domain.names import search_key


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("Hélène", "helene"),
        ("HÉLÈNE", "Helene"),
        ("Van Acker", "vanacker"),
        ("Van Acker", "van acker"),
        ("D’Hoogh", "dhoogh"),
        ("D'Hoogh", "d hoogh"),
        ("Jean-Luc", "jeanluc"),
        ("St. Martin", "st martin"),
        ("Søren", "soren"),
        ("Straße", "strasse"),
        ("Çelik", "celik"),
        ("Ｐｅｅｔｅｒｓ", "peeters"),  # full-width letters, as some keyboards give them
    ],
)
def test_what_is_typed_has_the_key_of_what_was_written(written, typed):
    assert search_key(written) == search_key(typed)


@pytest.mark.parametrize(("a", "b"), [("Peeters", "Peters"), ("Claes", "Claessens"), ("An", "Ann")])
def test_different_names_keep_different_keys(a, b):
    assert search_key(a) != search_key(b)


def test_the_key_fits_its_column():
    assert len(search_key("x" * 500)) == 100


def test_a_name_of_only_marks_has_an_empty_key():
    assert search_key(" ' - . ") == ""
