"""One code per dispute: readable, unique per tenant and year, and typo-proof."""

from __future__ import annotations

import string
import xml.etree.ElementTree as ET

import pytest

from core.codes import CodeError, format_code, parse_code, qr_svg, tracking_path

ALPHABET = string.ascii_uppercase + string.digits
SAMPLES = [format_code("ZS", 2026, n) for n in (1, 123, 45678, 999999)] + [
    format_code("HZ12", 2027, 7)
]


def test_a_code_has_prefix_year_sequence_and_check_character() -> None:
    code = format_code("zs", 2026, 123)
    assert code.startswith("ZS-2026-000123-") and len(code) == len("ZS-2026-000123-P")
    parsed = parse_code(f"  {code.lower()} ")
    assert (parsed.prefix, parsed.year, parsed.sequence) == ("ZS", 2026, 123)


@pytest.mark.parametrize("code", SAMPLES)
def test_every_single_character_typo_is_caught(code: str) -> None:
    for position, char in enumerate(code):
        if char == "-":
            continue
        for other in ALPHABET.replace(char, ""):
            typo = code[:position] + other + code[position + 1:]
            with pytest.raises(CodeError):
                parse_code(typo)


@pytest.mark.parametrize("code", SAMPLES)
def test_every_swap_of_neighbouring_characters_is_caught(code: str) -> None:
    body = code.replace("-", "")
    for i in range(len(body) - 1):
        if body[i] == body[i + 1]:
            continue
        swapped = body[:i] + body[i + 1] + body[i] + body[i + 2:]
        # put the separators back where they were
        parts, at = [], 0
        for piece in code.split("-"):
            parts.append(swapped[at:at + len(piece)])
            at += len(piece)
        with pytest.raises(CodeError):
            parse_code("-".join(parts))


def test_malformed_codes_are_refused_with_a_hint() -> None:
    with pytest.raises(CodeError, match="looks like"):
        parse_code("hello")
    with pytest.raises(ValueError):
        format_code("ZS", 2026, 0)


def test_the_qr_code_is_an_svg_pointing_at_the_tracking_page() -> None:
    url = "https://onedoor.example" + tracking_path("zhoushan", SAMPLES[1])
    svg = qr_svg(url)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and root.find(".//{http://www.w3.org/2000/svg}path") is not None
    assert tracking_path("zhoushan", SAMPLES[1]) == f"/zhoushan/track/{SAMPLES[1]}"
