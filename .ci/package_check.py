"""`make test-package`: the emulator as a user gets it, outside this repository.

1. Build the wheel and the sdist (python -m build) into a throwaway directory
   (mktemp), nowhere near the checkout.
2. A fresh venv there gets the wheel alone (the serving dependencies): the console
   script serves and lists the built-in scenarios; pytest without the plugin's
   extra neither breaks nor warns, and a test asking for the fixture is told what
   to install; a project with its own `emulator` package is told so in one line.
3. The wheel with its [pytest] extra: examples/user-project/ (its own pyproject
   and tests, copied out of the repository) runs in-process, with -n 2, and with
   -n 2 against a sidecar started from the installed `emulator` console script on
   --port 0 (its address file says the port; `emulator healthcheck` reads it).
4. The sdist rebuilds the same wheel and runs tests from its own copy.

Run from the repository root with the project's venv python (make test-package).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USER_PROJECT = ROOT / "examples" / "user-project"
SDIST_TESTS = ["tests/world/test_builtin_scenarios.py", "tests/world/test_scenarios.py"]
BANNER_WITHIN_LINES = 50  # progress lines (one per slow scenario file) come before the banner


def step(text: str) -> None:
    print(f"package-check: {text}", flush=True)


def run(command: list, *, cwd: Path, env: dict | None = None, expect: int = 0, timeout: float = 600) -> str:
    started = time.perf_counter()
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    output = result.stdout + result.stderr
    if result.returncode != expect:
        print(output, file=sys.stderr)
        raise SystemExit(
            f"package-check: FAILED ({result.returncode}, expected {expect}): {' '.join(map(str, command))} (in {cwd})"
        )
    step(f"  ok in {time.perf_counter() - started:.1f} s: {' '.join(map(str, command[-6:]))}")
    return output


def clean_environment(**extra: str) -> dict:
    """No EMULATOR_* or PYTEST_* settings from the caller, no PYTHONPATH into the repo."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EMULATOR_", "PYTEST_", "PYTHONPATH", "VIRTUAL_ENV"))
    }
    return {**environ, **extra}


def build(work: Path) -> tuple[Path, Path]:
    step(f"building wheel and sdist into {work / 'dist'}")
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", work / "dist", ROOT], cwd=work)
    wheel = next((work / "dist").glob("*.whl"))
    sdist = next((work / "dist").glob("*.tar.gz"))
    names = zipfile.ZipFile(wheel).namelist()
    data = [name for name in names if not name.endswith(".py") and ".dist-info/" not in name]
    step(f"  {wheel.name}: {len(names)} files, {len(data)} of them package data")
    return wheel, sdist


def serving_only(work: Path, venv: Path, wheel: Path) -> None:
    step("the wheel alone (serving dependencies) in a fresh venv")
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel], cwd=work)
    run([venv / "bin" / "emulator", "--version"], cwd=work)
    listing = run([venv / "bin" / "emulator", "scenarios"], cwd=work)
    assert all(name in listing for name in ("default", "bulk-50k", "dfs-bulk")), listing
    run([venv / "bin" / "python", "-c", "import pytest"], cwd=work, expect=1)  # serving needs no pytest
    step("pytest without the [pytest] extra: the entry point stays quiet, a fixture says what to install")
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "pytest"], cwd=work)
    plain = work / "plain-project"
    (plain / "tests").mkdir(parents=True)
    (plain / "tests" / "test_plain.py").write_text("def test_nothing_to_do_with_the_emulator():\n    assert True\n")
    run(
        [venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=plain,
        env=clean_environment(),
    )
    (plain / "tests" / "test_fixture.py").write_text("def test_wants_it(emulator_sync):\n    pass\n")
    output = run(
        [venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fixture.py"],
        cwd=plain,
        env=clean_environment(),
        expect=1,
    )
    assert "pip install 'identity-emulator[pytest]'" in output, output
    step("a project with its own `emulator` package: one line saying so, no traceback")
    shadowing = work / "shadowing-project"
    (shadowing / "emulator").mkdir(parents=True)
    (shadowing / "emulator" / "__init__.py").write_text("")
    (shadowing / "test_own.py").write_text("import emulator\n\ndef test_own():\n    assert emulator\n")
    output = run(
        [venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=shadowing,
        env=clean_environment(),
        expect=4,  # pytest's usage error
    )
    assert "your project's own `emulator` package" in output and "Traceback" not in output, output
    run(
        [venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:emulator"],
        cwd=shadowing,
        env=clean_environment(),
    )


def user_project(work: Path, venv: Path, wheel: Path) -> None:
    step("the wheel with its [pytest] extra: examples/user-project, copied out of the repository")
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", f"{wheel}[pytest]", "pytest-xdist"], cwd=work)
    project = work / "user-project"
    shutil.copytree(USER_PROJECT, project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    pytest = [venv / "bin" / "python", "-m", "pytest", "-p", "no:cacheprovider", "-W", "error::DeprecationWarning"]
    environment = clean_environment()
    step("user-project: in-process")
    print(run([*pytest, "-q"], cwd=project, env=environment).strip().splitlines()[-1], flush=True)
    step("user-project: in-process, -n 2")
    print(run([*pytest, "-q", "-n", "2"], cwd=project, env=environment).strip().splitlines()[-1], flush=True)
    step("user-project: -n 2 against a sidecar from the installed console script (--port 0)")
    address_file = work / "sidecar-address.json"
    sidecar_dir = work / "sidecar"
    sidecar_dir.mkdir()
    sidecar = subprocess.Popen(
        [venv / "bin" / "emulator", "--port", "0", "--quiet"],
        cwd=sidecar_dir,
        env=clean_environment(EMULATOR_ADDRESS_FILE=str(address_file)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists():
            if sidecar.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"package-check: the sidecar did not start:\n{sidecar.stdout.read()}")
            time.sleep(0.1)
        time.sleep(0.1)  # the file is written in one call; let it land
        port = json.loads(address_file.read_text())["port"]
        assert port != 0, "the address file must name the bound port"
        run(
            [venv / "bin" / "emulator", "healthcheck"],
            cwd=sidecar_dir,
            env=clean_environment(EMULATOR_ADDRESS_FILE=str(address_file)),
        )
        print(
            run([*pytest, "-q", "-n", "2", "--emulator-url", f"http://127.0.0.1:{port}"], cwd=project, env=environment)
            .strip()
            .splitlines()[-1],
            flush=True,
        )
    finally:
        sidecar.send_signal(signal.SIGTERM)
        try:
            banner = sidecar.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            sidecar.kill()
            banner = sidecar.communicate()[0]
    # The banner is the first "listening on" line, not the first line: a slow first start
    # prints progress lines before it ("validating scenario default.yaml … (1.1 s so far)").
    said = banner.splitlines()[:BANNER_WITHIN_LINES]
    listening = next((line for line in said if " listening on " in line), "")
    assert listening, "no banner in the sidecar's first lines:\n" + "\n".join(said)
    assert f":{port} " in listening and ":0 " not in listening, listening  # the banner names the bound port
    step(f"  sidecar said: {listening}")


def sdist_rebuilds(work: Path, sdist: Path, wheel: Path) -> None:
    step("the sdist rebuilds the wheel and runs tests from its own copy")
    with tarfile.open(sdist) as archive:
        archive.extractall(work / "sdist", filter="data")
    source = next((work / "sdist").iterdir())
    run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", work / "sdist-dist", source], cwd=work)
    rebuilt = next((work / "sdist-dist").glob("*.whl"))
    original, again = (sorted(zipfile.ZipFile(path).namelist()) for path in (wheel, rebuilt))
    assert original == again, set(original) ^ set(again)
    where = run(
        [sys.executable, "-c", "import emulator; print(emulator.__file__)"], cwd=source, env=clean_environment()
    )
    assert str(source) in where, where
    print(
        run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SDIST_TESTS],
            cwd=source,
            env=clean_environment(),
        )
        .strip()
        .splitlines()[-1],
        flush=True,
    )


def main() -> int:
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="identity-emulator-package-"))
    try:
        wheel, sdist = build(work)
        venv = work / "venv"
        run([sys.executable, "-m", "venv", venv], cwd=work)
        serving_only(work, venv, wheel)
        user_project(work, venv, wheel)
        sdist_rebuilds(work, sdist, wheel)
    finally:
        if os.environ.get("KEEP_PACKAGE_CHECK"):
            step(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    step(f"all good in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
