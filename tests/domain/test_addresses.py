"""Belgian postcodes and country codes."""

import pytest

from lidgeld.domain.addresses import country_refusal, masked_email, postcode_refusal


@pytest.mark.parametrize("postcode", ["1000", "9000", "9992", "2000"])
def test_a_belgian_postcode_from_1000_to_9992_is_accepted(postcode):
    assert postcode_refusal(postcode, "BE") is None


@pytest.mark.parametrize("postcode", ["0999", "9993", "999", "10000", "9OOO", "９０００", "B-9000"])
def test_other_belgian_postcodes_are_refused_with_the_rule(postcode):
    refusal = postcode_refusal(postcode, "BE")
    assert refusal is not None
    assert refusal.code == "postcode_invalid"
    assert "four digits from 1000 to 9992" in str(refusal)
    assert postcode in str(refusal)


@pytest.mark.parametrize(("postcode", "country"), [("1012 AB", "NL"), ("75001", "FR"), ("", "BE")])
def test_other_countries_and_no_postcode_are_not_checked_here(postcode, country):
    assert postcode_refusal(postcode, country) is None


@pytest.mark.parametrize("country", ["be", "BEL", "B", "1E", ""])
def test_a_country_is_a_two_letter_code(country):
    assert country_refusal(country) is not None


def test_a_known_country_code_is_accepted():
    assert country_refusal("NL") is None


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("helene.dhoogh@example.be", "h***@example.be"),
        ("h@example.be", "h***@example.be"),
        (" An.Peeters@Gent.be ", "A***@Gent.be"),
        ("a@b@example.be", "a***@example.be"),
        ("not an address", "***"),
    ],
)
def test_a_masked_address_keeps_the_first_letter_and_the_domain(address, shown):
    assert masked_email(address) == shown
