"""Every example block marked ``<!-- example: KIND ... -->`` in README.md and docs/*.md
runs here, so none can rot:

- ``docker``: `docker build` names the image and context; each `docker run` line
  runs with the image's command line and environment (tests/support/docker.py);
- ``cli``: each `emulator ...` line runs (a serving one until it is healthy);
- ``make-run-output``: the sample matches what `make run` prints.
"""

import re
import shlex
import sys
import urllib.request
from pathlib import Path

import pytest

from emulator import __version__
from emulator.builtin_scenarios import builtin_scenarios
from tests.support.docker import ROOT, LocalImage, docker_run, free_port
from tests.support.processes import Server, make_run_command

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = re.compile(r"<!-- example: ([a-z-]+)[^>]*-->\s*```[a-z]*\n(.*?)```", re.S)
SUBCOMMANDS = ("validate", "endpoints", "healthcheck")


def examples(kind: str) -> list[tuple[str, str]]:
    """(document name, line) of every line in the marked blocks of one kind."""
    found = []
    for document in DOCUMENTS:
        for block_kind, body in MARKER.findall(document.read_text(encoding="utf-8")):
            if block_kind == kind:
                found += [(document.name, line) for line in body.splitlines() if line.strip()]
    return found


def commands(kind: str) -> list[tuple[str, str]]:
    return [(name, line) for name, line in examples(kind) if not line.lstrip().startswith("#")]


def test_every_marked_block_is_a_known_kind():
    kinds = {kind for document in DOCUMENTS for kind, _ in MARKER.findall(document.read_text(encoding="utf-8"))}
    assert kinds <= {"docker", "cli", "make-run-output", "pytest", "pytest-ini", "pytest-file"}, kinds
    assert commands("docker") and commands("cli") and examples("make-run-output")


def with_port(arguments: list[str], port: int) -> list[str]:
    if "--port" in arguments:
        arguments = list(arguments)
        arguments[arguments.index("--port") + 1] = str(port)
        return arguments
    return [*arguments, "--port", str(port)]


@pytest.mark.parametrize("where, line", commands("docker"), ids=lambda value: str(value)[:60])
def test_docker_example(where, line, tmp_path):
    words = shlex.split(line)
    if words[:2] == ["docker", "build"]:
        assert words[words.index("-t") + 1] == f"identity-emulator:{__version__}"
        assert (ROOT / words[-1] / "Dockerfile").is_file()
        return
    env, volumes, ports, image_name, arguments = docker_run(line.replace("$PWD", str(ROOT)))
    assert image_name == f"identity-emulator:{__version__}"
    image = LocalImage()
    mounts = {container: Path(host) for container, host in volumes.items()}
    for container in mounts:
        assert container == "/scenarios" and mounts[container].is_dir()
    workdir = tmp_path / "container"
    workdir.mkdir()
    if arguments and arguments[0] in SUBCOMMANDS:
        result = image.run(workdir, env=env, volumes=mounts, arguments=arguments)
        assert result.returncode == 0, result.stdout + result.stderr
        return
    listens = (
        int(arguments[arguments.index("--port") + 1])
        if arguments and "--port" in arguments
        else int(env.get("EMULATOR_PORT", image.stage.env["EMULATOR_PORT"]))
    )
    assert [container for _, container in ports] == [listens]  # -p publishes the port it listens on
    port = free_port()
    if arguments and "--port" in arguments:
        arguments = with_port(arguments, port)
    else:
        env = {**env, "EMULATOR_PORT": str(port)}
    container = image.start(workdir, env=env, volumes=mounts, arguments=arguments)
    try:
        health = container.wait_healthy(port=port)
        if "EMULATOR_SCENARIOS" in env:
            expected = [
                builtin_scenarios().get(part) or image.map_path(part, mounts)
                for part in env["EMULATOR_SCENARIOS"].split(",")
            ]
            assert health["scenarios"] == [str(path) for path in expected]
        assert container.healthcheck().returncode == 0
    finally:
        seconds, returncode, output = container.stop()
    assert returncode == 0 and seconds < container.STOP_BUDGET_SECONDS, output


@pytest.mark.parametrize("where, line", commands("cli"), ids=lambda value: str(value)[:60])
def test_cli_example(where, line):
    words = shlex.split(line, comments=True)
    assert words[0] == "emulator"
    command = [sys.executable, "-m", "emulator", *words[1:]]
    if len(words) > 1 and words[1] in SUBCOMMANDS:
        import subprocess

        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        return
    port = free_port()
    server = Server(with_port(command, port), port)
    try:
        server.wait_for(lambda printed: "listening" in printed)
        assert server.health()["status"] == "ok"
    finally:
        assert server.stop() == 0


def normalized(text: str, port: int) -> str:
    text = text.replace(f":{port}", ":PORT").replace(":8080", ":PORT")
    text = re.sub(r"ready in \d+ ms", "ready in N ms", text)
    return re.sub(r" \d+\.\d+ ms$", " N ms", text)


def test_make_run_sample_output_matches_what_make_run_prints():
    sample = [line for _, line in examples("make-run-output") if line.strip() != "…"]
    port = free_port()
    server = Server(make_run_command(port), port)
    try:
        server.wait_for(lambda printed: printed.startswith("curl -s http://"))  # the last curl line
        request = urllib.request.Request(
            server.url + "/customerid-rest/services/2.1/users?status=Enabled",
            headers={"Authorization": "Basic cmVzdHVzZXI6c2VjcmV0"},
        )
        urllib.request.urlopen(request, timeout=5).read()
        server.wait_for(lambda printed: printed.startswith("GET /customerid-rest/services/2.1/users?status="))
    finally:
        server.stop()
    printed = [normalized(line, port) for line in server.seen]
    for line in sample:
        pattern = ".*".join(re.escape(piece) for piece in normalized(line, port).split("…"))
        assert any(re.fullmatch(pattern, candidate) for candidate in printed), (line, printed)
