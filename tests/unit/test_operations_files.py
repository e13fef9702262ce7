"""deploy/prometheus/ and deploy/grafana/ agree with adapters/metrics.py and docs/operations.md.

promtool is not installed where the tests run, so the files are read with PyYAML and json and
checked for what Prometheus and Grafana would refuse or silently get wrong: the rule file's
shape, an expression with unbalanced brackets, a metric name no process exports (a counter
named without ``_total`` matches nothing and an alert on it never fires), a runbook link to a
section that does not exist. The names a process exports are read from the collectors
``adapters.metrics`` defines, by their type, never from a list written here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from adapters import metrics

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
PROMETHEUS = ROOT / "deploy" / "prometheus" / "prometheus.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "marketplace.json"
OPERATIONS = ROOT / "docs" / "operations.md"
RUNBOOK_PREFIX = "docs/operations.md#"

# The series prometheus_client writes for one family of each type (OpenMetrics' `_created` included).
SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("_sum", "_count", "_created", ""),
}
# Prometheus's duration syntax, as `for:` takes it.
DURATION = re.compile(r"^(0|(\d+(ms|s|m|h|d|w|y))+)$")
STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
METRIC = re.compile(r"\bmarketplace_[a-zA-Z0-9_]+\b")


def exported_series() -> dict[str, str]:
    """Every series name the processes can export, mapped to its family's name."""
    series: dict[str, str] = {}
    collectors = [c for c in vars(metrics).values() if isinstance(c, MetricWrapperBase)]
    assert collectors, "adapters.metrics defines no metric"
    for collector in collectors:
        name, kind = collector._name, collector._type
        for suffix in SUFFIXES[kind]:
            series[name + suffix] = name
    return series


def metric_names(expr: str) -> set[str]:
    """The ``marketplace_*`` names an expression reads (label values and strings left out)."""
    return set(METRIC.findall(STRING.sub('""', expr)))


def bracket_problem(expr: str) -> str | None:
    """Why the expression's (), [] and {} do not nest, outside string literals; None if they do."""
    closing = {")": "(", "]": "[", "}": "{"}
    stack: list[tuple[str, int]] = []
    stripped = STRING.sub(lambda m: " " * len(m.group()), expr)
    if stripped.count('"') or stripped.count("'") or stripped.count("`"):
        return "an unterminated string"
    for i, char in enumerate(stripped):
        if char in "([{":
            stack.append((char, i))
        elif char in closing:
            if not stack or stack[-1][0] != closing[char]:
                return f"{char!r} at {i} closes nothing it opened"
            stack.pop()
    if stack:
        return f"{stack[-1][0]!r} at {stack[-1][1]} is never closed"
    if re.search(r"\(\s*\)", re.sub(r"\b(time|vector|scalar|absent|on|ignoring|by|without)\s*\(\s*\)", "", stripped)):
        return "an empty ()"
    return None


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(ALERTS.read_text())
    assert isinstance(document, dict) and set(document) == {"groups"}, "alerts.yml: one top-level key, groups"
    found = []
    for group in document["groups"]:
        assert set(group) <= {"name", "interval", "rules", "limit"}, f"unknown keys in group {group.get('name')}"
        assert isinstance(group["name"], str) and group["rules"], f"group {group.get('name')} has no rules"
        found += group["rules"]
    return found


def alerts() -> list[dict[str, Any]]:
    return [r for r in rules() if "alert" in r]


def dashboard_panels() -> list[dict[str, Any]]:
    """Every panel of the dashboard, those nested in collapsed rows included; rows left out."""
    document = json.loads(DASHBOARD.read_text())
    out = []
    for panel in document["panels"]:
        out += panel.get("panels", []) if panel["type"] == "row" else [panel]
    return out


def dashboard_exprs() -> list[tuple[str, str]]:
    return [(p["title"], t["expr"]) for p in dashboard_panels() for t in p.get("targets", [])]


def operations_anchors() -> set[str]:
    """The anchors GitHub makes of docs/operations.md's headings (lower case, spaces to hyphens,
    punctuation dropped), outside fenced code blocks."""
    text = re.sub(r"^```.*?^```", "", OPERATIONS.read_text(), flags=re.M | re.S)
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", "")).replace(" ", "-")
        anchors.add(slug)
    return anchors


# --- the rule file --------------------------------------------------------------------------


def test_rule_file_is_what_prometheus_loads() -> None:
    config = yaml.safe_load(PROMETHEUS.read_text())
    assert [ALERTS.name] == config["rule_files"]


def test_every_alert_has_the_fields_prometheus_and_the_on_call_need() -> None:
    found = alerts()
    assert len(found) >= 10, "fewer alerts than issue 21 asks for"
    names = [a["alert"] for a in found]
    assert len(names) == len(set(names)), f"alert names repeat: {names}"
    for alert in found:
        name = alert["alert"]
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", name), f"{name}: alert names are CamelCase"
        assert set(alert) <= {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}, name
        assert isinstance(alert["expr"], str) and alert["expr"].strip(), name
        assert DURATION.match(str(alert["for"])), f"{name}: for: {alert['for']!r}"
        assert alert["labels"]["severity"] in ("critical", "warning"), name
        annotations = alert["annotations"]
        for key in ("summary", "description", "runbook_url"):
            assert isinstance(annotations.get(key), str) and annotations[key].strip(), f"{name}: no {key}"
        for text in annotations.values():
            assert text.count("{{") == text.count("}}"), f"{name}: unbalanced template in {text!r}"


def test_every_runbook_url_names_a_section_of_the_operations_guide() -> None:
    anchors = operations_anchors()
    for alert in alerts():
        url = alert["annotations"]["runbook_url"]
        assert url.startswith(RUNBOOK_PREFIX), f"{alert['alert']}: {url}"
        anchor = url.removeprefix(RUNBOOK_PREFIX)
        assert anchor in anchors, f"{alert['alert']}: no heading makes #{anchor} in docs/operations.md"
        # One section per alert, named after it, so a search for the alert's name finds it.
        assert anchor == alert["alert"].lower(), f"{alert['alert']}: runbook anchor #{anchor}"


@pytest.mark.parametrize(
    "metric",
    [
        "marketplace_events_dead_lettered",
        "marketplace_consumer_lag_records",
        "marketplace_outbox_oldest_age_seconds",
        "marketplace_email_outbox_oldest_age_seconds",
        "marketplace_http_requests",
        "marketplace_reconciliation_differences",
        "marketplace_reconciliation_last_run_timestamp_seconds",
        "marketplace_emails_refused",
    ],
)
def test_an_alert_watches_each_metric_issue_21_names(metric: str) -> None:
    series = exported_series()
    assert any(series.get(name) == metric for a in alerts() for name in metric_names(a["expr"])), metric


def test_an_alert_fires_when_a_scraped_service_is_down_or_gone() -> None:
    jobs = [job["job_name"] for job in yaml.safe_load(PROMETHEUS.read_text())["scrape_configs"]]
    exprs = " ".join(re.sub(r"\s+", "", a["expr"]) for a in alerts())
    assert "==0" in exprs and "up{" in exprs
    for job in jobs:
        # Scraped through DNS, a service without containers has no target: up is absent, not 0.
        assert f'absent(up{{job="{job}"}})' in exprs, f"no alert sees job {job} vanish"


@pytest.mark.parametrize("alert", [a["alert"] for a in alerts()])
def test_alert_expressions_are_well_formed(alert: str) -> None:
    expr = next(a["expr"] for a in alerts() if a["alert"] == alert)
    assert bracket_problem(expr) is None, f"{alert}: {bracket_problem(expr)}"
    # Grafana's $__rate_interval and friends mean nothing to Prometheus.
    assert "$" not in STRING.sub('""', expr), f"{alert}: a dashboard variable in a rule"


# --- names the processes export -------------------------------------------------------------


def test_every_metric_the_rules_use_is_exported() -> None:
    series = exported_series()
    used = {name for a in alerts() for name in metric_names(a["expr"])}
    assert used, "the rules read no marketplace_* metric"
    unknown = sorted(used - series.keys())
    assert not unknown, f"not exported by any process (a counter needs _total): {unknown}"


def test_every_metric_the_dashboard_uses_is_exported() -> None:
    series = exported_series()
    unknown = sorted({(title, n) for title, expr in dashboard_exprs() for n in metric_names(expr) if n not in series})
    assert not unknown, f"not exported by any process (a counter needs _total): {unknown}"


def test_the_checks_above_would_catch_a_misspelt_name() -> None:
    """The helpers themselves: a bare counter name, a typo and a broken bracket are all caught."""
    series = exported_series()
    assert "marketplace_http_requests_total" in series and "marketplace_http_requests" not in series
    assert "marketplace_consumer_lag_records" in series and "marketplace_consumer_lag_records_total" not in series
    assert "marketplace_handler_duration_seconds_bucket" in series
    assert metric_names('rate(marketplace_x_total{topic="marketplace_y"}[5m])') == {"marketplace_x_total"}
    assert bracket_problem('sum(rate(x{a="(["}[5m])') is not None
    assert bracket_problem("sum(rate(x[5m)))") is not None
    assert bracket_problem('sum(rate(x{a=")"}[5m]))') is None


# --- the dashboard --------------------------------------------------------------------------


def test_dashboard_is_grafana_json_on_a_prometheus_variable() -> None:
    document = json.loads(DASHBOARD.read_text())
    assert 36 <= document["schemaVersion"] <= 41
    assert document["uid"] and document["title"]
    variables = {v["name"]: v for v in document["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    ids = [p["id"] for p in document["panels"]] + [p["id"] for p in dashboard_panels() if p not in document["panels"]]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    for panel in dashboard_panels():
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24 and grid["h"] > 0, f"{panel['title']}: {grid}"


def test_every_panel_queries_prometheus() -> None:
    panels = dashboard_panels()
    assert len(panels) >= 15
    for panel in panels:
        title = panel["title"]
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, title
        targets = panel.get("targets")
        assert targets, f"{title}: no targets"
        assert len({t["refId"] for t in targets}) == len(targets), f"{title}: refIds repeat"
        for target in targets:
            assert isinstance(target.get("expr"), str) and target["expr"].strip(), f"{title}: a target without expr"
            assert bracket_problem(target["expr"]) is None, f"{title}: {bracket_problem(target['expr'])}"


@pytest.mark.parametrize(
    "metric",
    [
        "marketplace_http_requests",
        "marketplace_http_request_duration_seconds",
        "marketplace_http_requests_in_flight",
        "marketplace_events_handled",
        "marketplace_events_retried",
        "marketplace_events_dead_lettered",
        "marketplace_handler_duration_seconds",
        "marketplace_batch_size_records",
        "marketplace_consumer_lag_records",
        "marketplace_outbox_events",
        "marketplace_outbox_oldest_age_seconds",
        "marketplace_email_outbox_messages",
        "marketplace_email_outbox_oldest_age_seconds",
        "marketplace_emails_sent",
        "marketplace_emails_refused",
        "marketplace_payment_intents_created",
        "marketplace_refunds_issued",
        "marketplace_reconciliation_differences",
    ],
)
def test_the_dashboard_shows_each_metric_issue_21_names(metric: str) -> None:
    series = exported_series()
    assert any(series.get(n) == metric for _, expr in dashboard_exprs() for n in metric_names(expr)), metric


# --- the guide ------------------------------------------------------------------------------


def test_the_guide_lists_every_metric() -> None:
    text = OPERATIONS.read_text()
    families = {c._name: c for c in vars(metrics).values() if isinstance(c, MetricWrapperBase)}
    for name, collector in families.items():
        # A counter as queried (with _total); a histogram by its family name.
        shown = f"{name}_total" if collector._type == "counter" else name
        assert re.search(rf"^\|\s*`{shown}`", text, re.M), f"docs/operations.md has no table row for {shown}"
