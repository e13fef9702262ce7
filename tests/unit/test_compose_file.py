"""docker-compose.yml and the Dockerfile agree with the code they deploy.

No Docker engine runs in CI, so nothing here starts a container: the compose file is read
with PyYAML (the Dockerfile as text) and checked against ``Config``, the worker modules and
``devstack.stack``'s commands. Where a Compose CLI is installed, ``config -q`` also validates
the file against the Compose spec.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.config import Config
from devstack.kafka import KAFKA_VERSION
from devstack.stack import WORKERS, api_argv, worker_argv

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
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
    # The image's HEALTHCHECK probes the API's port: a worker has none.
    assert _services()[group]["healthcheck"]["disable"] is True


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
