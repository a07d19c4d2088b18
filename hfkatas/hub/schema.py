"""Type checks for JSON request bodies at the boundary: a wrong shape answers 400 naming the field.

Every route reads its JSON through these helpers, so no handler ever sees a list where it expects an
object, a number where it expects a string, or a `bool` where it expects an `int`.
"""

from __future__ import annotations

import json
from typing import TypeVar

from .errors import HubError

T = TypeVar("T")
JsonObject = dict[str, object]
_MISSING = object()
_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "a list"}


def parse_json(data: bytes, where: str) -> object:
    """The JSON value in `data`; 400 for invalid JSON, invalid UTF-8 or absurd nesting."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise HubError(400, f"Invalid JSON in {where}: {reason}") from error


def json_object(value: object, where: str) -> JsonObject:
    """`value` if it is a JSON object, else 400."""
    if not isinstance(value, dict):
        raise HubError(400, f"{where} must be a JSON object, not {type(value).__name__}")
    return value


def _is(value: object, kind: type) -> bool:
    """isinstance, except that `True` is not an integer here."""
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def field(obj: JsonObject, key: str, kind: type[T], where: str, default: object = _MISSING) -> T:
    """`obj[key]` checked to be of `kind`. With a `default`, a missing or null field gives it."""
    value = obj.get(key)
    if value is None and default is not _MISSING:
        return default  # type: ignore[return-value]
    if not _is(value, kind):
        expected = _TYPE_NAMES.get(kind, kind.__name__)
        raise HubError(400, f"{where}: field {key!r} must be {expected}, got {value!r:.80}")
    return value  # type: ignore[return-value]


def objects(obj: JsonObject, key: str, where: str) -> list[JsonObject]:
    """`obj[key]` checked to be a list of JSON objects (missing: empty list)."""
    items = field(obj, key, list, where, default=[])
    return [json_object(item, f"{where}: each item of {key!r}") for item in items]
