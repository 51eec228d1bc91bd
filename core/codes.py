"""One code per dispute (一纠纷一码): ``ZS-2026-000123-P``.

The code is the tenant's prefix, the year of intake, a per-tenant yearly sequence and one check
character computed with ISO 7064 MOD 37-36 over the alphanumerics (python-stdnum). MOD 37-36
catches every single-character substitution and every transposition of adjacent characters, the
two mistakes people make when reading a code over the phone or typing it from paper.

Pure functions; the sequence itself is allocated by :mod:`core.cases` inside the intake
transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from stdnum.iso7064 import mod_37_36

SEQUENCE_WIDTH = 6
_CODE = re.compile(
    r"^(?P<prefix>[A-Z0-9]{2,6})-(?P<year>\d{4})-(?P<seq>\d{6,9})-(?P<check>[A-Z0-9])$"
)


class CodeError(ValueError):
    """A string that is not a well-formed case code, or whose check character is wrong."""


@dataclass(frozen=True)
class CaseCode:
    """The parts of a case code."""

    prefix: str
    year: int
    sequence: int

    @property
    def body(self) -> str:
        """The characters the check character protects (separators excluded)."""
        return f"{self.prefix}{self.year:04d}{self.sequence:0{SEQUENCE_WIDTH}d}"

    @property
    def check(self) -> str:
        """The ISO 7064 MOD 37-36 check character of :attr:`body`."""
        return mod_37_36.calc_check_digit(self.body)

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year:04d}-{self.sequence:0{SEQUENCE_WIDTH}d}-{self.check}"


def format_code(prefix: str, year: int, sequence: int) -> str:
    """The printable code of the ``sequence``-th case of ``year`` in a tenant."""
    if sequence < 1:
        raise ValueError("sequences start at 1")
    return str(CaseCode(prefix.upper(), year, sequence))


def parse_code(text: str) -> CaseCode:
    """Parse and verify a code typed by a person (case-insensitive, spaces ignored).

    Raises :class:`CodeError` with a message that tells a typo from a malformed code.
    """
    cleaned = re.sub(r"\s+", "", text or "").upper()
    match = _CODE.match(cleaned)
    if match is None:
        raise CodeError("a case code looks like ZS-2026-000123-P")
    code = CaseCode(match["prefix"], int(match["year"]), int(match["seq"]))
    if code.check != match["check"]:
        raise CodeError("this case code has a typo: its check character does not match")
    return code


def tracking_path(tenant_slug: str, code: str) -> str:
    """The citizen tracking page of a case, relative to the site root (一码管全程)."""
    return f"/{tenant_slug}/track/{code}"


def qr_svg(url: str) -> str:
    """An SVG QR code (error correction M) encoding ``url``; no raster library needed.

    The code printed on a receipt or shown on a screen opens the tracking page; the page still
    asks for the last four digits of the applicant's phone, so the QR alone reveals nothing.
    """
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    return image.to_string(encoding="unicode")
