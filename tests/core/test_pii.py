"""Personal data: validated on the way in, masked on the way out, encrypted in between."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from core.pii import (
    PIIError,
    Vault,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
    validate_id_number,
    validate_phone,
)


def test_id_numbers_follow_gb_11643() -> None:
    assert validate_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(PIIError, match="check digit"):
        validate_id_number("110105194912310021")
    with pytest.raises(PIIError, match="birth date"):
        validate_id_number("11010519491331002X")
    with pytest.raises(PIIError, match="out of range"):
        validate_id_number("110105203001010011", today=date(2026, 1, 1))
    with pytest.raises(PIIError) as error:
        validate_id_number("12345")
    assert error.value.field == "id_number"


def test_phones_are_mobiles_or_landlines_with_area_code() -> None:
    assert validate_phone("+86 138 1234 5678") == "13812345678"
    assert validate_phone("0580-2021234") == "05802021234"
    for bad in ("12345", "2021234", "+1 415 555 0100"):
        with pytest.raises(PIIError):
            validate_phone(bad)


def _outcome(phone: str) -> str:
    try:
        return validate_phone(phone)
    except PIIError as exc:
        return f"refused: {exc.field}"


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_a_plain_mobile_is_judged_as_when_typed_with_country_code(mobile: str) -> None:
    # A plain 11-digit mobile takes a shortcut; "+86 …" takes the parse-and-format path.
    assert _outcome(mobile) == _outcome(f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}")


def test_unallocated_mobile_ranges_are_refused() -> None:
    for unallocated in ("14012345678", "15412345678", "17912345678"):
        with pytest.raises(PIIError) as error:
            validate_phone(unallocated)
        assert error.value.field == "phone"


def test_masks_keep_just_enough_to_recognise() -> None:
    assert mask_id_number("330102199001011234") == "330***********1234"
    assert mask_phone("13856785678") == "138****5678"
    assert mask_name("张三") == "张*" and mask_name("欧阳娜娜") == "欧阳**"
    assert mask_email("zhang.san@example.com") == "z***@example.com"
    assert mask_email("no-at-sign") == "**********"


def test_ciphertexts_are_bound_to_their_tenant_and_field() -> None:
    vault = Vault("a-long-enough-test-secret")
    token = vault.encrypt("13812345678", context="1:party.phone")
    assert vault.decrypt(token, context="1:party.phone") == "13812345678"
    assert token != vault.encrypt("13812345678", context="1:party.phone")  # random nonce
    with pytest.raises(InvalidTag):
        vault.decrypt(token, context="2:party.phone")


def test_blind_indexes_match_within_a_tenant_and_differ_across_tenants() -> None:
    vault = Vault("a-long-enough-test-secret")
    one = vault.blind_index("13812345678", tenant_id=1, kind="phone")
    assert one == vault.blind_index("13812345678", tenant_id=1, kind="phone")
    assert one != vault.blind_index("13812345678", tenant_id=2, kind="phone")
    assert "13812345678" not in one
    with pytest.raises(ValueError):
        Vault("short")
