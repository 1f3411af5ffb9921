"""The Dockerfile as data, and its final stage run on this machine (no Docker engine
here): the image's ENTRYPOINT + CMD with the image's ENV, container paths mapped to
the files the Dockerfile COPYs them from, and `docker run` options (-e, -v, -p and
arguments after the image) applied the way Docker applies them."""

from __future__ import annotations

import fnmatch
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DOCKERFILE = ROOT / "Dockerfile"


@dataclass
class Instruction:
    keyword: str
    arguments: str
    line: int

    @property
    def exec_form(self) -> list[str] | None:
        text = self.arguments.strip()
        if text.startswith("["):
            return json.loads(text)
        return None


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [item for item in self.instructions if item.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None

    @property
    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for item in self.all("ENV"):
            words = shlex.split(item.arguments)
            if words and "=" not in words[0]:  # legacy "ENV KEY value"
                values[words[0]] = " ".join(words[1:])
                continue
            for word in words:
                key, _, value = word.partition("=")
                values[key] = value
        return values

    @property
    def copies(self) -> list[tuple[list[str], str, dict[str, str]]]:
        """(sources, destination, options) of every COPY from the build context or a stage."""
        result = []
        for item in self.all("COPY"):
            words = item.exec_form or shlex.split(item.arguments)
            options = {}
            while words and words[0].startswith("--"):
                key, _, value = words.pop(0)[2:].partition("=")
                options[key] = value
            result.append((words[:-1], words[-1], options))
        return result

    @property
    def healthcheck(self) -> tuple[dict[str, str], list[str]]:
        item = self.last("HEALTHCHECK")
        assert item is not None, "no HEALTHCHECK"
        options, _, command = item.arguments.partition("CMD")
        parsed = {}
        for word in shlex.split(options):
            key, _, value = word[2:].partition("=")
            parsed[key] = value
        return parsed, json.loads(command.strip()) if command.strip().startswith("[") else [
            "/bin/sh",
            "-c",
            command.strip(),
        ]


def parse_dockerfile(path: Path = DOCKERFILE) -> list[Stage]:
    stages: list[Stage] = []
    pending, start = "", 0
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # comments inside a continued instruction
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        text = pending + stripped
        pending = ""
        keyword, _, arguments = text.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = arguments.split()
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
        else:
            assert stages, f"line {number}: {keyword} before FROM"
            stages[-1].instructions.append(Instruction(keyword, arguments.strip(), start))
    return stages


def final_stage() -> Stage:
    return parse_dockerfile()[-1]


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def in_build_context(relative: str) -> bool:
    """Whether .dockerignore lets a path (relative to the context) into the build
    context: the last matching pattern wins, "!" re-includes, a directory pattern
    covers what is under it."""
    included = True
    parts = Path(relative).parts
    for pattern in dockerignore_patterns():
        negate = pattern.startswith("!")
        pattern = pattern[1:] if negate else pattern
        pattern = pattern.rstrip("/")
        pattern = pattern[3:] if pattern.startswith("**/") else pattern
        candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        if pattern != "*" and "/" not in pattern:  # "**/x" style: any path component
            candidates += list(parts)
        if any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates):
            included = negate
    return included


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalImage:
    """The final stage of the Dockerfile, run as a process on this machine."""

    def __init__(self, stage: Stage | None = None) -> None:
        self.stage = stage or final_stage()
        # container path -> path on this machine, from the COPY instructions that
        # take files from the build context (the installed package is this checkout)
        self.paths: dict[str, Path] = {}
        for sources, destination, options in self.stage.copies:
            if "from" in options:
                continue
            for source in sources:
                self.paths[destination.rstrip("/")] = ROOT / source.rstrip("/")

    @property
    def entrypoint(self) -> list[str]:
        return self.stage.last("ENTRYPOINT").exec_form

    @property
    def cmd(self) -> list[str]:
        return self.stage.last("CMD").exec_form

    @property
    def exposed_port(self) -> int:
        return int(self.stage.last("EXPOSE").arguments.split("/")[0])

    def map_path(self, text: str, volumes: dict[str, Path]) -> str:
        """A container path in a value or argument -> the file on this machine."""
        mounts = {**self.paths, **{key.rstrip("/"): value for key, value in volumes.items()}}
        for container in sorted(mounts, key=len, reverse=True):
            if text == container or text.startswith(container + "/"):
                return str(mounts[container]) + text[len(container) :]
        parts = text.split(",")  # EMULATOR_SCENARIOS lists paths
        if len(parts) > 1:
            return ",".join(self.map_path(part, volumes) for part in parts)
        return text

    def command(self, arguments: list[str] | None, volumes: dict[str, Path]) -> list[str]:
        """ENTRYPOINT + CMD (or the arguments given after the image, as `docker run` does);
        the image's `python` is this interpreter."""
        command = self.entrypoint + (self.cmd if arguments is None else list(arguments))
        if command[0] == "python":
            command[0] = sys.executable
        return [self.map_path(word, volumes) for word in command]

    def environment(self, overrides: dict[str, str], volumes: dict[str, Path], workdir: Path) -> dict[str, str]:
        environment = {key: value for key, value in os.environ.items() if not key.startswith("EMULATOR_")}
        image_env = {**self.stage.env, **overrides}
        for key, value in image_env.items():
            # /tmp of the container is the test's own directory
            environment[key] = (
                str(workdir / Path(value).name) if value.startswith("/tmp/") else self.map_path(value, volumes)
            )
        return environment

    def start(
        self,
        workdir: Path,
        env: dict[str, str] | None = None,
        volumes: dict[str, Path] | None = None,
        arguments: list[str] | None = None,
    ) -> Container:
        volumes = volumes or {}
        environment = self.environment(env or {}, volumes, workdir)
        process = subprocess.Popen(
            self.command(arguments, volumes),
            cwd=workdir,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        return Container(self, process, environment, volumes, workdir)

    def run(
        self,
        workdir: Path,
        env: dict[str, str] | None = None,
        volumes: dict[str, Path] | None = None,
        arguments: list[str] | None = None,
        timeout: float = 60,
    ) -> subprocess.CompletedProcess:
        volumes = volumes or {}
        return subprocess.run(
            self.command(arguments, volumes),
            cwd=workdir,
            env=self.environment(env or {}, volumes, workdir),
            capture_output=True,
            text=True,
            timeout=timeout,
        )


@dataclass
class Container:
    image: LocalImage
    process: subprocess.Popen
    environment: dict[str, str]
    volumes: dict[str, Path]
    workdir: Path

    def healthcheck(self) -> subprocess.CompletedProcess:
        """The image's HEALTHCHECK command, run in the container's environment."""
        _, command = self.image.stage.healthcheck
        command = [sys.executable if word == "python" else word for word in command]
        return subprocess.run(
            command, cwd=self.workdir, env=self.environment, capture_output=True, text=True, timeout=30
        )

    def url(self, port: int | None = None) -> str:
        return f"http://127.0.0.1:{port or self.environment['EMULATOR_PORT']}"

    def wait_healthy(self, seconds: float = 30.0, port: int | None = None) -> dict:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"container exited {self.process.returncode}: {self.process.stdout.read()}")
            try:
                with urllib.request.urlopen(self.url(port) + "/__emulator/health", timeout=1) as response:
                    return json.load(response)
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the container did not become healthy")

    # How long a SIGTERM may take: Docker kills after 10 s; the emulator usually needs ~0.2 s,
    # and a 2-core CI runner busy with two test workers and a browser has been seen at 1.07 s.
    STOP_BUDGET_SECONDS = 2.0

    def stop(self) -> tuple[float, int, str]:
        """SIGTERM (what `docker stop` sends): seconds until exit, exit code, output."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        output, _ = self.process.communicate(timeout=10)
        return time.monotonic() - started, self.process.returncode, output

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def docker_run(line: str) -> tuple[dict[str, str], dict[str, str], list[tuple[int, int]], str, list[str] | None]:
    """A `docker run` line: (-e env, -v volumes container->host text, -p (host, container) ports,
    image, arguments after the image or None)."""
    words = shlex.split(line)
    assert words[:2] == ["docker", "run"], line
    words = words[2:]
    env: dict[str, str] = {}
    volumes: dict[str, str] = {}
    ports: list[tuple[int, int]] = []
    flags_without_value = {"--rm", "-d", "--detach", "-i", "-t", "-it", "--init"}
    while words and words[0].startswith("-"):
        flag = words.pop(0)
        if flag in flags_without_value:
            continue
        value = words.pop(0) if "=" not in flag else flag.split("=", 1)[1]
        flag = flag.split("=", 1)[0]
        if flag in ("-e", "--env"):
            key, _, text = value.partition("=")
            env[key] = text
        elif flag in ("-v", "--volume"):
            host, container = value.split(":")[:2]
            volumes[container] = host
        elif flag in ("-p", "--publish"):
            host, container = value.rsplit(":", 1)[0].split(":")[-1], value.rsplit(":", 1)[1]
            ports.append((int(host), int(container)))
        elif flag in ("--name", "--network", "--user"):
            pass
        else:
            raise AssertionError(f"docker_run: unknown option {flag} in {line}")
    image = words.pop(0)
    return env, volumes, ports, image, (words or None)
