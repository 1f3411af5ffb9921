"""The README's curl examples (the quick start's and the "Try it" block's) run, in
order, against a real emulator and answer what the comments beside them say; the
quick start names the commands it promises."""

import asyncio
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"

EXPECTED = [
    '<Users xmlns="http://schema.ubisecure.com/customerid/api" inResponseTo="/2.1/users" method="GET">',
    '<Attribute name="login"><Value>maija.virtanen</Value></Attribute>',
    '<Organizations xmlns="http://schema.ubisecure.com/customerid/api" inResponseTo="/2.1/organizations/" method="POST">',
    "<Id>aaaaaaaa-0000-4000-8000-000000000003</Id>",  # recursive: Liisa is two levels down
    '<Users xmlns="http://schema.ubisecure.com/customerid/api" inResponseTo="/2.1/users/aaaaaaaa-0000-4000-8000-000000000002" method="PUT">',
    '"firstname": "Example"',
    "<ReinviteResponse",
    '<Organization><Attribute name="entityName">',
    "<Delegation xmlns=",
    "204",
    "<error><code>7</code>",
    '"status": "reset"',
]

QUICK_START_EXPECTED = [
    '<Attribute name="login"><Value>maija.virtanen</Value></Attribute>',  # GET105 on CustomerID
    '"status": "ok"',  # the control API's health
]


def marked_block(marker: str) -> str:
    text = README.read_text(encoding="utf-8")
    return text.split(f"<!-- {marker}")[1].split("```sh", 1)[1].split("```", 1)[0]


def readme_curl_lines(marker: str = "readme-curl") -> list[str]:
    return [line for line in marked_block(marker).splitlines() if line.startswith("curl ")]


def test_readme_lists_the_curl_examples_this_test_expects():
    assert len(readme_curl_lines()) == len(EXPECTED)
    assert len(readme_curl_lines("readme-quickstart")) == len(QUICK_START_EXPECTED)


def test_the_quick_start_names_make_run_and_make_test_first():
    lines = [line.split("#")[0].strip() for line in marked_block("readme-quickstart").splitlines()]
    commands = [line for line in lines if line]
    assert commands[0] == "make run" and commands[-1] == "make test", commands
    assert any("/customerid-rest/" in line for line in commands) and any("/__emulator/" in line for line in commands)


def test_the_readme_says_how_to_publish_what_is_not_published():
    text = README.read_text(encoding="utf-8")
    assert "not published to any index or registry" in text
    assert "make dist" in text and "twine upload --repository-url" in text
    assert "docker build -t registry.example/identity-emulator:" in text and "docker push" in text


@pytest.mark.parametrize(
    "marker, answers",
    [("readme-quickstart", QUICK_START_EXPECTED), ("readme-curl", EXPECTED)],
    ids=["quick-start", "try-it"],
)
async def test_readme_curl_examples_work(emulator, marker, answers):
    for line, expected in zip(readme_curl_lines(marker), answers):
        command = line.replace("http://127.0.0.1:8080", emulator.url)
        process = await asyncio.create_subprocess_shell(
            command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        output, errors = await asyncio.wait_for(process.communicate(), timeout=20)
        assert process.returncode == 0, (line, errors)
        assert expected in output.decode(), (line, output.decode())
        assert not re.search(r"<code>6</code>|Traceback", output.decode())
