"""Production hashes PINs and passwords with PBKDF2; only the tests use a fast hasher."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import get_hasher, make_password


@pytest.mark.real_hashers
def test_production_hashes_with_pbkdf2_at_full_strength():
    hasher = get_hasher()
    assert hasher.algorithm == "pbkdf2_sha256"
    assert hasher.iterations >= 1_000_000
    assert make_password("1234").startswith("pbkdf2_sha256$")


def test_tests_hash_fast_unless_marked():
    assert get_hasher().algorithm == "md5"
