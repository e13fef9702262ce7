"""The base of every event: a frozen dataclass that names its wire type, its topic and its key.

Each event type is defined once, as a subclass here in ``events/``; its wire schema (marshmallow,
for ``encode``/``decode``) is derived from the class's fields, so the two cannot drift.
"""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar, Union, get_args, get_origin, get_type_hints

from marshmallow import EXCLUDE, Schema, fields, validate

from events.types import Topic

E = TypeVar("E", bound="DomainEvent")

_REGISTRY: dict[str, type[DomainEvent]] = {}
ALL_EVENTS: list[type[DomainEvent]] = []  # every event class, in the order defined
_SCHEMAS: dict[type[DomainEvent], type[Schema]] = {}


class _Payload(Schema):
    class Meta:
        # Newer producers may add fields; older consumers must still apply the event.
        unknown = EXCLUDE


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """One fact, as producers build it and handlers read it; ``to_data`` is its wire payload."""

    TYPE: ClassVar[str]  # the wire name, ``aggregate.fact`` in the past tense
    TOPIC: ClassVar[Topic]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "TYPE" in cls.__dict__:  # shared bases (several types, one payload) name no type
            if cls.TYPE in _REGISTRY:
                raise TypeError(f"Event type {cls.TYPE} defined twice: {_REGISTRY[cls.TYPE]} and {cls}.")
            _REGISTRY[cls.TYPE] = cls
            ALL_EVENTS.append(cls)

    def key(self) -> str:
        """The partition key: the training, so one training's events stay in order on one partition."""
        return str(vars(self)["training_id"])

    def subject(self) -> str:
        """The id of the aggregate this event is about."""
        raise NotImplementedError

    def to_data(self) -> dict[str, Any]:
        """The JSON-ready payload, as on the wire (optional fields left out when unset)."""
        data: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.metadata.get("omit_default") and value == f.default:
                continue
            data[f.name] = list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value
        return data

    @classmethod
    def from_data(cls: type[E], data: dict[str, Any]) -> E:
        """The event a payload describes; unknown keys are ignored, absent optional fields default."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    @classmethod
    def schema(cls) -> Schema:
        """A fresh instance of the wire schema derived from the fields."""
        if cls not in _SCHEMAS:
            _SCHEMAS[cls] = _derive_schema(cls)
        return _SCHEMAS[cls]()


def event_class(type_name: str) -> type[DomainEvent]:
    """The class of the event type ``type_name``; ``KeyError`` for a type nobody defined."""
    return _REGISTRY[type_name]


def wire(
    *,
    default: Any = dataclasses.MISSING,
    check: validate.Validator | None = None,
    omit_default: bool = False,
    nullable: bool | None = None,
    schema_field: fields.Field[Any] | None = None,
) -> Any:
    """A field with what its wire schema needs beyond its type.

    ``check``: a marshmallow validator (a range, a choice); ``omit_default``: left out of the
    payload when it holds its default (today's producers send the key only when it means
    something); ``nullable`` overrides whether null is valid (by default: when the type allows
    None and the key is always sent); ``schema_field`` replaces the derived marshmallow field
    (timestamps checked as such, nested objects).
    """
    metadata = {"validate": check, "omit_default": omit_default, "nullable": nullable, "schema_field": schema_field}
    return dataclasses.field(default=default, metadata=metadata)


def amount(*, optional: bool = False) -> Any:
    """A non-negative integer in minor units (or a count); ``optional``: may be null or absent."""
    return wire(default=None if optional else dataclasses.MISSING, check=validate.Range(min=0))


def optional(*, nullable: bool = False) -> Any:
    """A field sent only when set (None stays off the wire); ``nullable``: null is valid too."""
    return wire(default=None, omit_default=True, nullable=nullable)


_SCALARS: dict[Any, type[fields.Field[Any]]] = {str: fields.String, int: fields.Integer, bool: fields.Boolean}


def _derive_schema(cls: type[DomainEvent]) -> type[Schema]:
    hints = get_type_hints(cls)
    declared: dict[str, fields.Field[Any]] = {}
    for f in dataclasses.fields(cls):
        declared[f.name] = _schema_field(f, hints[f.name])
    return _Payload.from_dict(declared, name=f"{cls.__name__}Schema")


def _schema_field(f: dataclasses.Field[Any], hint: Any) -> fields.Field[Any]:
    required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    if f.metadata.get("schema_field") is not None:
        return f.metadata["schema_field"]  # type: ignore[no-any-return]
    args = get_args(hint)
    may_be_none = get_origin(hint) in (Union, types.UnionType) and type(None) in args
    if may_be_none:
        hint = next(a for a in args if a is not type(None))
    nullable = f.metadata.get("nullable")
    allow_none = (may_be_none and not f.metadata.get("omit_default")) if nullable is None else nullable
    options: dict[str, Any] = {"required": required, "allow_none": allow_none}
    if f.metadata.get("validate") is not None:
        options["validate"] = f.metadata["validate"]
    if get_origin(hint) is list:
        return fields.List(fields.String(), **options)
    kind = _SCALARS[hint]
    if kind is fields.Integer:
        options["strict"] = True
    return kind(**options)
