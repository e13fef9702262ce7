"""Unknown query parameters are refused, as Stripe does: a typo (``?everwhere=true``) must not
be silently ignored. What each operation accepts is what the OpenAPI document declares."""

from __future__ import annotations

import re

from flask import Flask, request
from flask_smorest import Api

from core.errors import ValidationError

_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def install(app: Flask, api: Api) -> None:
    """Check every ``/api/v1`` request's query against its operation's declared parameters."""
    declared: dict[tuple[str, str], frozenset[str]] = {}

    @app.before_request
    def _refuse_unknown_query_parameters() -> None:
        rule = request.url_rule
        if rule is None or not request.args or not rule.rule.startswith("/api/v1/"):
            return
        if not declared:  # built once, on the first request with a query: the document is complete by then
            declared.update(_query_parameters(api.spec.to_dict()))
        names = declared.get((_CONVERTER.sub(r"{\1}", rule.rule), request.method.lower()))
        unknown = sorted(set(request.args) - names) if names is not None else []
        if unknown:
            raise ValidationError(
                f"Unknown query parameter(s): {', '.join(unknown)}.", {n: ["Unknown query parameter."] for n in unknown}
            )


def _query_parameters(spec: dict) -> dict[tuple[str, str], frozenset[str]]:  # type: ignore[type-arg]
    out = {}
    for path, item in spec.get("paths", {}).items():
        shared = [p for p in item.get("parameters", []) if isinstance(p, dict)]
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = shared + [p for p in operation.get("parameters", []) if isinstance(p, dict)]
            out[path, method] = frozenset(p["name"] for p in params if p.get("in") == "query")
    return out
