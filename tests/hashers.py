"""A real PBKDF2 hasher that counts its work, so a test can see that two paths hash
the same number of times without measuring time on a busy machine."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class CountingPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    encodings = 0

    def encode(self, password: str, salt: str, iterations: int | None = None) -> Any:
        type(self).encodings += 1
        return super().encode(password, salt, iterations)
