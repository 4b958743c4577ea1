"""Encryption of the hospital's local patient identifier, and the keyed digest that finds duplicates.

Keys come from PATIENT_ID_KEY: one or more comma-separated Fernet keys, the first encrypting, all decrypting
(rotation: put the new key first, run `concilium patient_ids_rotate`, then drop the old one). Without it,
one key is derived from SECRET_KEY with HKDF, and the deploy check warns. The digest is HMAC-SHA256 over the
normalised identifier, keyed by a second HKDF derivation of each key, so duplicates are found without
decrypting anything.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_FERNET_INFO = b"concilium.patients.local-id.fernet"
_DIGEST_INFO = b"concilium.patients.local-id.digest"


class LocalIdDecryptionError(Exception):
    """No configured key opens the stored identifier (a key was dropped before rotation finished)."""


def _hkdf(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def is_valid_fernet_key(value: str) -> bool:
    """True when `value` is a Fernet key: 32 bytes in URL-safe base64."""
    try:
        return len(base64.urlsafe_b64decode(value.encode("ascii"))) == 32
    except (ValueError, UnicodeEncodeError):
        return False


@lru_cache(maxsize=8)
def _keyring(configured: tuple[str, ...], secret_key: str) -> tuple[MultiFernet, tuple[bytes, ...]]:
    """The Fernet ring and the digest keys (first = current) for a configuration."""
    if configured:
        raw_keys = [base64.urlsafe_b64decode(key.encode("ascii")) for key in configured]
    else:
        raw_keys = [_hkdf(secret_key.encode(), _FERNET_INFO)]
    fernets = [Fernet(base64.urlsafe_b64encode(raw)) for raw in raw_keys]
    digest_keys = tuple(_hkdf(raw, _DIGEST_INFO) for raw in raw_keys)
    return MultiFernet(fernets), digest_keys


def _current() -> tuple[MultiFernet, tuple[bytes, ...]]:
    return _keyring(tuple(settings.PATIENT_ID_KEY), settings.SECRET_KEY)


def normalise_local_id(value: str) -> str:
    """The form compared for duplicates: trimmed, case-folded, without spaces or dashes."""
    return "".join(ch for ch in value.strip().casefold() if ch not in " -\t\u00a0\u2010\u2011\u2012\u2013")


def encrypt_local_id(value: str) -> str:
    """A Fernet token (text) for the identifier as typed (trimmed), under the current key."""
    ring, _ = _current()
    return ring.encrypt(value.strip().encode()).decode("ascii")


def decrypt_local_id(token: str) -> str:
    ring, _ = _current()
    try:
        return ring.decrypt(token.encode("ascii")).decode()
    except InvalidToken as exc:
        raise LocalIdDecryptionError from exc


def reencrypt_local_id(token: str) -> str:
    """The same identifier under the current (first) key; used by key rotation."""
    ring, _ = _current()
    try:
        return ring.rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise LocalIdDecryptionError from exc


def _digest(key: bytes, value: str) -> str:
    return hmac.new(key, normalise_local_id(value).encode(), hashlib.sha256).hexdigest()


def local_id_digest(value: str) -> str:
    """The duplicate digest of an identifier under the current key (what is stored)."""
    _, keys = _current()
    return _digest(keys[0], value)


def local_id_digests(value: str) -> list[str]:
    """Its digest under every configured key: during a rotation, rows not yet rotated still match."""
    _, keys = _current()
    return [_digest(key, value) for key in keys]
