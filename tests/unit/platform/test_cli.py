"""The CLI explains itself and fails in one line."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from ementor.cli import build_parser
from tests.support.infra import free_port

pytestmark = pytest.mark.unit


def parsers(parser: argparse.ArgumentParser, name: str = "ementor"):
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from parsers(sub, f"{name} {sub_name}")


def test_every_command_has_a_description_and_every_option_and_argument_has_help():
    found = list(parsers(build_parser()))
    assert {"ementor organisation list", "ementor organisation disable", "ementor dev"} <= {n for n, _ in found}
    for name, parser in found:
        assert parser.description, f"{name} has no description"
        for action in parser._actions:
            if not isinstance(action, argparse._SubParsersAction):
                assert action.help, f"{name}: {'/'.join(action.option_strings) or action.dest} has no help"


def ementor(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMENTOR_", "MONGODB_"))}
    return subprocess.run([sys.executable, "-m", "ementor.cli", *args], env={**env, "EMENTOR_ENV": "development"},
                          capture_output=True, text=True, timeout=60, check=False)


def test_version_prints_the_installed_version():
    result = ementor("--version")
    assert result.returncode == 0 and result.stdout.strip() == "ementor 0.1.0"


@pytest.mark.parametrize("command", [["organisation", "list"], ["organisation", "disable", "org1"],
                                     ["organisation", "create", "harbour"]])
def test_an_api_that_does_not_answer_is_one_line_and_exit_code_1(command):
    result = ementor(*command, "--url", f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("ementor: cannot reach the API at http://127.0.0.1:") and "ECONNREFUSED" in result.stderr
