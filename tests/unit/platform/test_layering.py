"""Use cases and domain rules speak the domain: they import neither HTTP nor nameko.

Every module of a service is checked except its edge: `service.py` (the entrypoints) and the
modules that define nameko extensions (dependency providers, custom entrypoints). A `handlers*`
or `domain*` module is never edge. The walk follows the service's own modules a checked module
imports, so a transport cannot creep in through a helper either.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from nameko.extensions import Extension

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ROOT / "services"
FORBIDDEN = ("ementor.platform.http", "nameko")


def is_edge(path: Path) -> bool:
    if path.name == "service.py":
        return True
    if path.name.startswith(("handlers", "domain")):
        return False
    module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return any(
        inspect.isclass(value) and issubclass(value, Extension) and value.__module__ == module.__name__
        for value in vars(module).values()
    )


def use_case_and_domain_modules() -> list[Path]:
    found = []
    for service in sorted(p for p in SERVICES.iterdir() if (p / "service.py").exists()):
        found += [path for path in sorted(service.rglob("*.py")) if not is_edge(path)]
    return found


def imports_of(path: Path) -> list[tuple[str, Path | None]]:
    """(absolute module name, local file if it is one of the service's own modules)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    result = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            result += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
                names = [module] if node.module else [f"{module}.{alias.name}" for alias in node.names]
            else:
                names = [node.module]
            for name in names:
                local = ROOT.joinpath(*name.split(".")).with_suffix(".py")
                result.append((name, local if local.exists() else None))
    return result


def forbidden_imports(path: Path) -> list[str]:
    seen, todo, problems = set(), [path], []
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, local in imports_of(current):
            if name.startswith(FORBIDDEN):
                problems.append(f"{current.relative_to(ROOT)} imports {name}")
            if local is not None and local.is_relative_to(path.parent):
                todo.append(local)
    return problems


def test_there_are_use_case_and_domain_modules_to_check():
    names = {p.relative_to(SERVICES).as_posix() for p in use_case_and_domain_modules()}
    assert {"profiles/handlers.py", "video/domain.py", "notifications/domain.py"} <= names


@pytest.mark.parametrize("module", use_case_and_domain_modules(), ids=lambda p: p.relative_to(SERVICES).as_posix())
def test_use_cases_and_domain_import_neither_http_nor_nameko(module):
    assert forbidden_imports(module) == []
