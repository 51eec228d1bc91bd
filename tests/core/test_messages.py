"""core.messages: domain messages and marshmallow's standard ones, in the reader's language."""

from __future__ import annotations

import pickle

import pytest
from marshmallow import Schema, ValidationError, fields, validate

from core import pii
from core.messages import MARSHMALLOW_MESSAGES, Message, msg, template_of, translate


def _errors(schema: Schema, data: object) -> list[str]:
    try:
        schema.load(data)
    except ValidationError as exc:
        messages = exc.messages
    else:
        raise AssertionError("no error")
    out: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        else:
            out.append(str(value))

    walk(messages)
    return out


class Everything(Schema):
    """A field of each kind, with each validator marshmallow has."""

    required = fields.String(required=True)
    text = fields.String()
    number = fields.Integer()
    decimal = fields.Decimal()
    flag = fields.Boolean()
    items = fields.List(fields.String())
    mapping = fields.Dict()
    when = fields.DateTime()
    aware = fields.AwareDateTime()
    day = fields.Date()
    not_null = fields.String(allow_none=False)
    choice = fields.String(validate=validate.OneOf(["a", "b"]))
    short = fields.String(validate=validate.Length(max=2))
    long = fields.String(validate=validate.Length(min=3))
    between = fields.String(validate=validate.Length(min=1, max=2))
    exact = fields.String(validate=validate.Length(equal=2))
    small = fields.Integer(validate=validate.Range(max=5))
    big = fields.Integer(validate=validate.Range(min=5, min_inclusive=False))
    ranged = fields.Integer(validate=validate.Range(min=1, max=5, max_inclusive=False))
    ranged_in = fields.Integer(validate=validate.Range(min=1, max=5))
    some = fields.List(fields.String(), validate=validate.ContainsOnly(["x", "y"]))
    none = fields.List(fields.String(), validate=validate.ContainsNoneOf(["x"]))
    same = fields.String(validate=validate.Equal("z"))
    pattern = fields.String(validate=validate.Regexp(r"^\d+$"))


BAD = {"text": 1, "number": "x", "decimal": "x", "flag": "maybe", "items": 1, "mapping": 1,
       "when": "x", "aware": "2025-01-01T00:00:00", "day": "x", "not_null": None,
       "choice": "c", "short": "abc", "long": "a", "between": "abc", "exact": "a", "small": 9,
       "big": 5, "ranged": 5, "ranged_in": 0, "some": ["q"], "none": ["x"], "same": "y",
       "pattern": "a", "unknown": 1}


def test_every_message_marshmallow_gives_here_is_a_known_id_or_template() -> None:
    produced = _errors(Everything(), BAD)
    assert len(produced) == len(BAD) + 1  # every field, plus the missing required one
    unknown = [m for m in produced if m not in MARSHMALLOW_MESSAGES and template_of(m) is None]
    assert not unknown


@pytest.mark.parametrize(("locale", "expected"), [
    ("zh_Hans", {"缺少必填字段。", "须为以下之一：a, b。", "长度须在 1 到 2 之间。",
                 "须大于或等于 1 且小于 5。", "不是有效的整数。", "未知字段。"}),
    ("zh_Hant", {"缺少必填欄位。", "須為以下之一：a, b。", "長度須在 1 到 2 之間。",
                 "須大於或等於 1 且小於 5。", "不是有效的整數。", "未知欄位。"}),
    ("en", {"Missing data for required field.", "Must be one of: a, b.",
            "Length must be between 1 and 2.",
            "Must be greater than or equal to 1 and less than 5.", "Not a valid integer.",
            "Unknown field."}),
])
def test_marshmallow_messages_are_translated_values_and_all(app, locale, expected) -> None:
    produced = _errors(Everything(), BAD)
    with app.test_request_context(f"/?lang={locale}"):
        translated = {translate(m) for m in produced}
    assert expected <= translated
    if locale == "en":
        assert translated == set(produced)
    else:
        assert not translated & set(produced)  # none left in English


def test_a_domain_message_is_a_str_that_translates_with_its_values(app) -> None:
    with pytest.raises(pii.PIIError) as caught:
        pii.validate_phone("12")
    message = caught.value.message
    assert isinstance(message, Message)
    assert message == "a phone is an 11-digit mobile or a landline with its area code"
    unknown = msg("unknown tier node: %(code)s", code="x-1")
    assert unknown == "unknown tier node: x-1" and pickle.loads(pickle.dumps(unknown)) == unknown
    with app.test_request_context("/?lang=zh_Hant"):
        assert translate(message) == "電話須為 11 位手機號碼，或帶區號的市話"
        assert translate(unknown) == "未知層級節點：x-1"
    with app.test_request_context("/?lang=zh_Hans"):
        assert translate(unknown) == "未知层级节点：x-1"
        assert translate("a plugin's own words") == "a plugin's own words"
