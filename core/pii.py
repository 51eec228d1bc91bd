"""Personal data: validation, masking, encryption at rest and blind indexes.

* ID numbers (居民身份证, GB 11643-1999) are checked with their ISO 7064 MOD 11-2 check digit
  and a plausible birth date (python-stdnum).
* Phones are mainland mobiles or landlines with an area code (phonenumbers).
* Stored values are encrypted (AES-GCM, key from settings); a keyed HMAC of the normalized value
  (the blind index) lets the system find repeat parties without ever storing the plain text.
* Masks keep just enough to recognise a number: ``330***********1234``, ``138****5678``.

Pure functions: no Flask, no database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from datetime import date

import phonenumbers
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric

from core.messages import msg


class PIIError(ValueError):
    """A personal-data value is malformed; ``field`` names what was checked.

    ``message`` is a :class:`core.messages.Message` (translatable); ``str(exc)`` is its English.
    """

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def validate_id_number(value: str, *, today: date | None = None) -> str:
    """Return the normalized 18-character ID number or raise :class:`PIIError`.

    Checks the format, the birth date and the GB 11643 (ISO 7064 MOD 11-2) check character
    with python-stdnum. The region code is deliberately not checked against stdnum's table:
    numbers keep the code of a region that was later renamed or merged, and refusing a real
    citizen's number is worse than accepting an unknown region.
    """
    number = ric.compact(value or "")
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit()
                                                              or number[17] == "X"):
        raise PIIError(msg("an ID number has 17 digits and a final digit or X"), "id_number")
    try:
        born = ric.get_birth_date(number)
    except stdnum_exceptions.ValidationError as exc:
        raise PIIError(msg("the ID number's birth date is not a real date"), "id_number") from exc
    if born > (today or date.today()) or born.year < 1890:
        raise PIIError(msg("the ID number's birth date is out of range"), "id_number")
    if ric.calc_check_digit(number) != number[17]:
        message = msg("the ID number's check digit does not match (GB 11643)")
        raise PIIError(message, "id_number")
    return number


#: Under this age a person is a minor (未成年人保护法 第二条: 未满十八周岁).
MINOR_AGE = 18


def is_minor(born: date, on: date) -> bool:
    """True when someone born on ``born`` is under :data:`MINOR_AGE` on day ``on``."""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return age < MINOR_AGE


def id_number_shows_minor(number: str, on: date) -> bool:
    """True when a validated resident ID number's birth date makes its holder a minor on ``on``.

    Only 18-character personal numbers carry a birth date; anything else gives False.
    """
    try:
        return is_minor(ric.get_birth_date(number), on)
    except (stdnum_exceptions.ValidationError, ValueError):
        return False


#: A mainland mobile as typed most often: 11 digits from 13 to 19, nothing else.
_PLAIN_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def validate_phone(value: str) -> str:
    """Return the phone in national digits (mobile or landline with area code) or raise.

    phonenumbers (Google's libphonenumber metadata) knows the current mobile ranges and area
    codes; +86 and 0086 prefixes, spaces and dashes are accepted on input.
    """
    plain = _PLAIN_MOBILE.fullmatch(value or "") is not None
    if plain:
        # Most phones given at intake are a plain 11-digit mobile, which is its own national
        # form: only its range needs checking. Parsing and formatting it again cost 80% of
        # the check (tests/core/test_pii.py holds this path to the general one).
        parsed = phonenumbers.PhoneNumber(country_code=86, national_number=int(value))
    else:
        try:
            parsed = phonenumbers.parse(value or "", "CN")
        except phonenumbers.NumberParseException as exc:
            raise PIIError(
                msg("a phone is an 11-digit mobile or a landline with its area code"), "phone"
            ) from exc
    if parsed.country_code != 86 or not phonenumbers.is_valid_number(parsed):
        raise PIIError(msg("a phone is an 11-digit mobile or a landline with its area code"),
                       "phone")
    if plain:
        return value
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national if ch.isdigit())


def mask_id_number(number: str) -> str:
    """``330***********1234``: region prefix and last four kept."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_phone(phone: str) -> str:
    """``138****5678`` for mobiles; landlines keep area code and last four."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_email(email: str) -> str:
    """``z***@example.com``: the first character of the mailbox and the whole domain."""
    local, _, domain = email.partition("@")
    if not domain:
        return "*" * len(email)
    return (local[:1] + "***" if local else "***") + "@" + domain


def mask_name(name: str) -> str:
    """``张*`` / ``欧阳**``: family name kept (two characters for known compound ones)."""
    if not name:
        return ""
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "*" * (len(name) - keep)


class Vault:
    """Encrypts personal data and computes blind indexes with keys derived from one secret.

    Two keys are derived (HKDF-like, with distinct labels) so that the blind-index key never
    doubles as the encryption key. A tenant id is mixed into the blind index: the same person in
    two tenants has two unrelated indexes, so one tenant's data says nothing about another's.
    """

    def __init__(self, secret: str | bytes) -> None:
        secret_bytes = secret.encode() if isinstance(secret, str) else secret
        if len(secret_bytes) < 16:
            raise ValueError("the PII secret must have at least 16 bytes")
        self._enc_key = hmac.new(secret_bytes, b"onedoor-pii-encryption", hashlib.sha256).digest()
        self._idx_key = hmac.new(secret_bytes, b"onedoor-pii-blind-index", hashlib.sha256).digest()
        self._aead = AESGCM(self._enc_key)

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """AES-GCM with a random nonce; ``context`` (e.g. "tenant:3:party.id_number") is bound
        as associated data, so a ciphertext copied to another row or tenant does not decrypt."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str, *, context: str) -> str:
        """The inverse of :meth:`encrypt`; raises ``cryptography`` errors on tampering."""
        raw = base64.urlsafe_b64decode(token.encode())
        return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()

    def blind_index(self, value: str, *, tenant_id: int, kind: str) -> str:
        """Keyed HMAC-SHA256 of the normalized value, per tenant and kind (hex, 64 chars)."""
        message = f"{tenant_id}|{kind}|{value}".encode()
        return hmac.new(self._idx_key, message, hashlib.sha256).hexdigest()
