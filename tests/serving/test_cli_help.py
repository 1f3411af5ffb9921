"""`emulator --help` names every subcommand `emulator` dispatches, each with a line
saying what it does, so none is found only by reading the source."""

import re
import subprocess
import sys

from emulator import cli
from tests.support.docker import ROOT


def test_every_dispatched_subcommand_has_a_summary():
    assert set(cli.SUBCOMMAND_SUMMARIES) == set(cli.SUBCOMMANDS) | set(cli.DRIFT_SUBCOMMANDS) | set(
        cli.PACT_SUBCOMMANDS
    )


def test_help_lists_every_subcommand_with_its_summary():
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    listed = dict(re.findall(r"^  ([a-z-]+) +(\S.*)$", result.stdout.split("subcommands:", 1)[1], re.M))
    for name in (*cli.SUBCOMMANDS, *cli.DRIFT_SUBCOMMANDS, *cli.PACT_SUBCOMMANDS):
        assert listed.get(name) == cli.SUBCOMMAND_SUMMARIES[name], (name, result.stdout)
    assert {"record", "compare", "scenario"} <= set(listed)  # the drift ones, once hidden


def test_each_listed_subcommand_answers_its_own_help():
    for name in cli.SUBCOMMAND_SUMMARIES:
        result = subprocess.run(
            [sys.executable, "-m", "emulator", name, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0 and result.stdout.startswith("usage: emulator"), (name, result.stderr)


def test_an_unknown_subcommand_word_is_refused_by_the_serve_parser():
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "serv"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "unrecognized arguments: serv" in result.stderr
