"""The README's curl examples run, in order, against a real emulator and answer
what the comments beside them say."""

import asyncio
import re
from pathlib import Path

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


def readme_curl_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- readme-curl")[1].split("```sh", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.startswith("curl ")]


def test_readme_lists_the_curl_examples_this_test_expects():
    assert len(readme_curl_lines()) == len(EXPECTED)


async def test_readme_curl_examples_work(emulator):
    for line, expected in zip(readme_curl_lines(), EXPECTED):
        command = line.replace("http://127.0.0.1:8080", emulator.url)
        process = await asyncio.create_subprocess_shell(
            command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        output, errors = await asyncio.wait_for(process.communicate(), timeout=20)
        assert process.returncode == 0, (line, errors)
        assert expected in output.decode(), (line, output.decode())
        assert not re.search(r"<code>6</code>|Traceback", output.decode())
