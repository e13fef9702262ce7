"""docker-compose.yml and the Dockerfile agree with the code they deploy.

No Docker engine runs in CI, so nothing here starts a container: the compose file is read
with PyYAML (the Dockerfile as text) and checked against ``Config``, the worker modules and
``devstack.stack``'s commands. Where a Compose CLI is installed, ``config -q`` also validates
the file against the Compose spec. The ports the health checks and Prometheus's scrape jobs
(deploy/prometheus/prometheus.yml) call are read from the file itself: the API's from its
``--port=``, a worker's from ``METRICS_PORT`` in ``x-app-env``, so each is written once here.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from packaging.requirements import Requirement

from adapters.config import Config
from devstack.kafka import KAFKA_VERSION
from devstack.stack import WORKERS, api_argv, worker_argv

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
GRAFANA_DIR = ROOT / "deploy" / "grafana"
APP_SERVICES = ("api", *WORKERS)
INFRA_SERVICES = ("kafka", "mongo", "mailpit")
# The required ${...:?} variables: any value lets the file interpolate.
DUMMY_SECRETS = {
    "STRIPE_API_KEY": "sk_test_compose",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_compose",
    "STRIPE_WEBHOOK_SECRET": "whsec_compose",
    "WEB_SECRET_KEY": "compose-web-secret",
    "CERTIFICATE_SIGNING_KEY": "compose-certificate-key",
}


def _compose() -> dict[str, Any]:
    """The file as Compose reads it: anchors resolved, so an alias is the anchored object itself."""
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict), "docker-compose.yml is not a mapping"
    return loaded


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = _compose()["services"]
    return services


def _command(service: str) -> list[str]:
    """The service's ``command``, written as a list of strings (exec form, no shell)."""
    argv = _services()[service]["command"]
    assert isinstance(argv, list) and all(isinstance(a, str) for a in argv), f"{service}: {argv!r}"
    return argv


def _app_env() -> dict[str, Any]:
    env: dict[str, Any] = _compose()["x-app-env"]
    return env


def _api_port() -> int:
    """The port the API's waitress command listens on."""
    ports = [a.removeprefix("--port=") for a in _command("api") if a.startswith("--port=")]
    assert len(ports) == 1, f"the api command names no single --port=: {_command('api')}"
    return int(ports[0])


def _served_port(service: str) -> int:
    """Where the service answers /metrics, /healthz and /readyz: the API on its own port, a
    worker on METRICS_PORT (the variable its runner reads, as compose sets it)."""
    return _api_port() if service == "api" else int(_app_env()["METRICS_PORT"])


def _healthcheck_url(service: str) -> str:
    """The one URL the service's health check opens, from its Python one-liner."""
    check = _services()[service].get("healthcheck")
    assert isinstance(check, dict), f"{service} has no healthcheck"
    assert not check.get("disable"), f"{service}'s healthcheck is disabled"
    test = check["test"]
    # Exec form, `python -c CODE`: slim images have no curl, and no shell is needed.
    assert isinstance(test, list) and test[:3] == ["CMD", "python", "-c"] and len(test) == 4, f"{service}: {test!r}"
    compile(test[3], f"<{service} healthcheck>", "exec")  # a syntax error would read as "unhealthy" forever
    urls = re.findall(r"urlopen\(\s*['\"]([^'\"]+)['\"]", test[3])
    assert len(urls) == 1, f"{service}'s healthcheck opens no single URL: {test[3]}"
    assert re.search(r"timeout\s*=", test[3]), f"{service}'s healthcheck must give urlopen a timeout"
    return urls[0]


def _scrape_targets() -> dict[str, tuple[str, set[tuple[str, int]]]]:
    """Each scrape job of prometheus.yml: its metrics path and the (host, port) it scrapes,
    from static targets or from DNS names (type A, one target per replica) with their port."""
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    jobs: dict[str, tuple[str, set[tuple[str, int]]]] = {}
    for job in config["scrape_configs"]:
        targets: set[tuple[str, int]] = set()
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                host, _, port = target.rpartition(":")
                targets.add((host, int(port)))
        for dns in job.get("dns_sd_configs", []):
            assert dns.get("type", "SRV") == "A", f"{job['job_name']}: Compose's DNS answers A records, not SRV"
            targets.update((name, int(dns["port"])) for name in dns["names"])
        assert job["job_name"] not in jobs, f"job {job['job_name']} defined twice"
        jobs[job["job_name"]] = (job.get("metrics_path", ""), targets)
    return jobs


def _mounts(service: str) -> dict[str, str]:
    """The service's bind mounts, container path -> host path (relative to the compose file)."""
    mounts = {}
    for volume in _services()[service].get("volumes", []):
        source, target, *_ = volume.split(":")
        if source.startswith("."):
            mounts[target] = source
    return mounts


def _pinned(image: str) -> bool:
    name, _, tag = image.rpartition(":")
    return bool(name) and "/" not in tag and tag not in ("", "latest") and any(c.isdigit() for c in tag)


def _expected_api_argv() -> list[str]:
    """devstack's API command, in the container: `python` on PATH, listening on every interface."""
    return ["python", *("--host=0.0.0.0" if a.startswith("--host=") else a for a in api_argv(8000)[1:])]


def _runtime_packages() -> list[str]:
    """pyproject's packages, less devstack (the embedded dev services stay out of the image)."""
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    return [p.rstrip("*") for p in include["include"] if p.rstrip("*") != "devstack"]


def test_compose_spec_file_without_version_key() -> None:
    top = _compose()
    assert "version" not in top, "the Compose spec has no `version:`; Compose v2 warns about it"
    assert {"x-app-env", "services", "volumes"} <= set(top)


def test_every_service_is_defined() -> None:
    services = _services()
    missing = [name for name in (*INFRA_SERVICES, *APP_SERVICES) if name not in services]
    assert not missing, f"services missing from docker-compose.yml: {missing}"


def test_every_config_field_is_set_for_the_app() -> None:
    names = {f.name.upper() for f in fields(Config)}
    text = COMPOSE.read_text()
    assert re.search(r"^x-app-env: &app-env\s*$", text, re.M), "x-app-env must carry the `&app-env` anchor"
    env = set(_compose()["x-app-env"])
    assert not names - env, f"Config fields with no variable in x-app-env: {sorted(names - env)}"
    assert all(re.search(rf"\b{name}\b", text) for name in names)


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_share_the_environment_and_wait_for_healthy_infra(service: str) -> None:
    top = _compose()
    keys = top["services"][service]
    # PyYAML builds an alias as the anchored object itself: `is` means `*app-env`, not a copy.
    assert keys["environment"] is top["x-app-env"], f"{service} must use `environment: *app-env`"
    assert keys["build"] == "."
    assert keys["restart"] == "unless-stopped"
    depends_on = keys["depends_on"]
    for infra in ("kafka", "mongo"):
        assert infra in depends_on, f"{service} must wait for {infra}"
        assert depends_on[infra] == {"condition": "service_healthy"}


def test_compose_runs_the_kafka_release_the_embedded_broker_runs() -> None:
    assert _services()["kafka"]["image"] == f"apache/kafka:{KAFKA_VERSION}"


@pytest.mark.parametrize("group", WORKERS)
def test_worker_commands_are_the_worker_modules(group: str) -> None:
    assert _command(group) == ["python", *worker_argv(group)[1:]] == ["python", "-m", f"workers.{group}"]
    module = ROOT / "workers" / f"{group}.py"
    assert module.is_file(), f"{module} does not exist"
    assert 'if __name__ == "__main__":' in module.read_text(), f"{module} cannot run with python -m"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_app_service_checks_the_health_its_process_serves(service: str) -> None:
    url = urlsplit(_healthcheck_url(service))
    # The API's /healthz (broker and database); a worker's /readyz (consuming, lag, database, broker).
    expected = "/healthz" if service == "api" else "/readyz"
    assert (url.scheme, url.hostname, url.path) == ("http", "127.0.0.1", expected), url.geturl()
    assert url.port == _served_port(service), f"{service} serves on {_served_port(service)}, its check calls {url.port}"


def test_workers_serve_their_port_to_other_containers() -> None:
    env = _app_env()
    # 127.0.0.1 (Config's default) would answer the health check but not Prometheus.
    assert env["METRICS_HOST"] == "0.0.0.0"
    assert int(env["METRICS_PORT"]) > 0, "METRICS_PORT 0 turns the workers' HTTP server off"


def test_prometheus_scrapes_exactly_the_app_services_where_they_serve_metrics() -> None:
    jobs = _scrape_targets()
    scraped = {host for _, targets in jobs.values() for host, _ in targets}
    assert scraped == set(APP_SERVICES), f"scraped {sorted(scraped)}, app services {sorted(APP_SERVICES)}"
    for job, (path, targets) in jobs.items():
        assert path == "/metrics", f"job {job}: metrics_path {path!r}"
        for host, port in targets:
            assert port == _served_port(host), (
                f"job {job} scrapes {host}:{port}; {host} serves /metrics on {_served_port(host)}"
            )
        # One job per service, named after it: the alerts' up{job=...} and the dashboards rely on it.
        assert {host for host, _ in targets} == {job}, f"job {job} scrapes {sorted(targets)}"


def test_prometheus_service_runs_the_repository_config() -> None:
    prometheus = _services()["prometheus"]
    assert _pinned(prometheus["image"]) and prometheus["image"].startswith("prom/prometheus:"), prometheus["image"]
    config_file = next(
        a.removeprefix("--config.file=") for a in prometheus["command"] if a.startswith("--config.file=")
    )
    config_dir = str(Path(config_file).parent)
    assert _mounts("prometheus").get(config_dir) == "./deploy/prometheus", _mounts("prometheus")
    assert (PROMETHEUS_DIR / Path(config_file).name).is_file()
    for rules in yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())["rule_files"]:
        assert (PROMETHEUS_DIR / rules).is_file(), f"rule file {rules} is not in deploy/prometheus"
    assert "9090" in " ".join(prometheus["ports"])
    assert set(APP_SERVICES) <= set(prometheus["depends_on"]), "Prometheus starts after every app service"


def test_grafana_service_provisions_the_repository_dashboard() -> None:
    grafana = _services()["grafana"]
    assert _pinned(grafana["image"]) and grafana["image"].startswith("grafana/grafana:"), grafana["image"]
    mounts = _mounts("grafana")
    dashboard = next(target for target, source in mounts.items() if source == "./deploy/grafana/marketplace.json")
    providers = yaml.safe_load((GRAFANA_DIR / "provisioning" / "dashboards" / "marketplace.yml").read_text())
    assert [p["options"]["path"] for p in providers["providers"]] == [str(Path(dashboard).parent)]
    for kind in ("datasources", "dashboards"):
        assert mounts.get(f"/etc/grafana/provisioning/{kind}") == f"./deploy/grafana/provisioning/{kind}"
    sources = yaml.safe_load((GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml").read_text())
    assert [urlsplit(s["url"]).hostname for s in sources["datasources"]] == ["prometheus"]
    assert "3000" in " ".join(grafana["ports"])


def test_api_command_is_devstacks_waitress_command() -> None:
    argv = _command("api")
    assert argv == _expected_api_argv()
    assert argv[1:3] == ["-m", "waitress"] and argv[argv.index("--call") + 1] == "api:create_app"
    ports = _services()["api"]["ports"]
    assert "8000:8000" in ports, ports


def test_dockerfile_runs_the_api_and_ships_every_runtime_package() -> None:
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M)
    assert re.search(r"^USER (?!root\b)\S+", text, re.M), "the image must not run as root"
    cmd = re.search(r"^CMD (\[.*\])\s*$", text, re.M)
    assert cmd and json.loads(cmd[1]) == _expected_api_argv()
    assert "http://127.0.0.1:8000/healthz" in text
    for package in _runtime_packages():
        assert re.search(rf"^COPY {package} \./{package}\s*$", text, re.M), f"{package} not copied"
        for source in (ROOT / package).rglob("*.py"):
            imports = re.findall(r"^\s*(?:from|import) devstack\b", source.read_text(), re.M)
            assert not imports, f"{source} imports devstack, which the image leaves out"
    assert not re.search(r"^COPY (devstack|tests)\b", text, re.M)


def _installed_in_image() -> set[str]:
    """The distributions the Dockerfile installs: pyproject's dependencies and theirs (as this
    environment resolves them), normalized names."""
    wanted = [Requirement(r) for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]]
    seen: set[str] = set()
    while wanted:
        req = wanted.pop()
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        if name in seen or (req.marker and not req.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        try:
            wanted += [Requirement(r) for r in importlib.metadata.requires(name) or []]
        except importlib.metadata.PackageNotFoundError:
            pass  # not installed here, so none of our imports can come from it
    return seen


def _imported_distributions() -> dict[str, set[str]]:
    """Each third-party distribution the runtime packages import (anywhere in a module), and where."""
    ours = set(_runtime_packages())
    owners = importlib.metadata.packages_distributions()
    found: dict[str, set[str]] = {}
    for package in ours:
        for source in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text())):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for top in {n.split(".")[0] for n in names} - ours - set(sys.stdlib_module_names) - {"__future__"}:
                    for dist in owners.get(top, [top]):
                        found.setdefault(re.sub(r"[-_.]+", "-", dist).lower(), set()).add(str(source.relative_to(ROOT)))
    return found


def test_the_image_installs_every_package_the_code_imports() -> None:
    installed = _installed_in_image()
    missing = {dist: sorted(where) for dist, where in _imported_distributions().items() if dist not in installed}
    assert not missing, f"imported but not in pyproject's dependencies (nor theirs): {missing}"


def _compose_cli() -> list[str] | None:
    """`docker compose` (the v2 plugin) if it is there, else `docker-compose`, else None."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_config_validates() -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no Compose CLI installed: only the text checks above ran")
    result = subprocess.run(
        [*cli, "-f", str(COMPOSE), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **DUMMY_SECRETS},
    )
    assert result.returncode == 0, result.stderr
