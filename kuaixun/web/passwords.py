"""Desk passwords: scrypt (memory-hard, in the standard library), stored as one self-describing string.

``scrypt$N$r$p$salt$hash`` (salt and hash in unpadded URL-safe base64): the parameters travel with
the hash, so stronger ones later do not break the accounts made before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SCHEME = "scrypt"
COST_N, BLOCK_R, PARALLEL_P = 2**15, 8, 1
"""OWASP's scrypt minimum is N=2^17 at r=8; 2^15 keeps a login near 0.1 s on a small server, and the
login rate limit bounds the guesses."""
SALT_BYTES, HASH_BYTES = 16, 32
MAX_MEMORY = 256 * 1024 * 1024
"""scrypt needs 128·N·r bytes: a stored hash asking for more is refused as malformed, not computed."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, COST_N, BLOCK_R, PARALLEL_P)
    return "$".join([SCHEME, str(COST_N), str(BLOCK_R), str(PARALLEL_P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from (constant-time comparison)."""
    if check_hash_format(stored):
        return False
    _, n, r, p, salt, digest = stored.split("$")
    expected = _unb64(digest)
    return hmac.compare_digest(_scrypt(password, _unb64(salt), int(n), int(r), int(p)), expected)


def check_hash_format(stored: str) -> str | None:
    """Why ``stored`` is not a hash this module made, or None."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return "not a scrypt$N$r$p$salt$hash password hash"
    if not all(part.isdigit() for part in parts[1:4]):
        return "scrypt parameters must be whole numbers"
    n, r, p = (int(part) for part in parts[1:4])
    if n < 2 or n & (n - 1) or r < 1 or not 1 <= p <= 16 or 128 * n * r >= MAX_MEMORY:
        return "scrypt parameters out of bounds"
    try:
        salt, digest = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        return "salt or hash is not base64"
    if len(salt) < SALT_BYTES or len(digest) < 16:
        return "salt or hash too short"
    return None


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=MAX_MEMORY, dklen=HASH_BYTES
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError(str(exc)) from None
