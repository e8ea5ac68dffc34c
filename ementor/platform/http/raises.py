"""Which domain errors an endpoint can raise, read from the code (for the OpenAPI document).

Starting at the service method, it follows every function the code calls or names (type
annotations aside: they run nothing): through the module's globals (`handlers.create_match`,
`check(...)`), and, for a call on an object it cannot type (`repo.lock(...)`,
`auth.require_coordinator()`), every function of that name in the service's package and in the
platform's `Principal`. Every domain error constructed or raised on the way
counts. It over-approximates (an error on a branch this endpoint never takes is documented) but
does not miss one raised by the service's own code, which is what a client needs: a status the
document does not list must not happen.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

from ..errors import DomainError
from ..principal import Principal


def domain_errors(method: Callable) -> set[type[DomainError]]:
    found: set[type[DomainError]] = set()
    seen: set = set()
    todo = [_unwrap(method)]
    while todo:
        function = todo.pop()
        if function in seen:
            continue
        seen.add(function)
        for target in _references(function):
            if isinstance(target, type) and issubclass(target, DomainError):
                found.add(target)
            elif isinstance(target, types.FunctionType):
                todo.append(target)
    return found


def _unwrap(function):
    return inspect.unwrap(getattr(function, "__func__", function))


def _references(function) -> Iterator:
    """The objects a function's code names: globals, module attributes, methods by name."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError):
        return
    _drop_annotations(tree)
    namespace = function.__globals__
    closure = inspect.getclosurevars(function).nonlocals
    package = function.__module__.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:  # an import inside the function
            try:
                module = importlib.import_module(node.module)
            except ImportError:  # a version-gated import in a library (pydantic's validators reach one)
                continue
            for alias in node.names:
                yield from _callables(getattr(module, alias.name, None))
        elif isinstance(node, ast.Name):
            value = closure.get(node.id, namespace.get(node.id))
            yield from _callables(value)
        elif isinstance(node, ast.Attribute):
            owner = node.value
            if isinstance(owner, ast.Name) and isinstance(namespace.get(owner.id), types.ModuleType):
                yield from _callables(getattr(namespace[owner.id], node.attr, None))
            elif not _on_text(owner, package):
                yield from _methods_named(package, node.attr)


def _drop_annotations(tree: ast.AST) -> None:
    """Type annotations run no code: `repo: ProfilesRepository` must not count every method of the class."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node.returns = None
        elif isinstance(node, ast.arg):
            node.annotation = None
        elif isinstance(node, ast.AnnAssign):
            node.annotation = ast.Constant(None)


def _on_text(owner: ast.expr, package: str) -> bool:
    """A string literal, or what a call of a built-in str or bytes method returns (`name.strip().lower()`,
    `text.encode("ascii").decode()`): a built-in value, whose methods raise no domain error. A method
    that a service function or `Principal` shares the name of counts as theirs."""
    if isinstance(owner, ast.Constant):
        return isinstance(owner.value, str | bytes)
    if not (isinstance(owner, ast.Call) and isinstance(owner.func, ast.Attribute)):
        return False
    name = owner.func.attr
    return (hasattr(str, name) or hasattr(bytes, name)) and not _index(package).get(name) and name not in vars(Principal)


def _callables(value) -> Iterator:
    if isinstance(value, types.FunctionType):
        yield value
    elif isinstance(value, type):
        if issubclass(value, DomainError):
            yield value
        elif value.__module__.startswith("services."):
            yield from (m for m in vars(value).values() if isinstance(m, types.FunctionType))
    elif isinstance(value, staticmethod | classmethod):
        yield value.__func__


def _methods_named(package: str, name: str) -> Iterator:
    yield from _index(package).get(name, ())
    if name in vars(Principal):
        yield from _callables(vars(Principal)[name])


@cache
def _index(package: str) -> dict[str, tuple]:
    """Every function and method defined in the modules of a service's package, by name."""
    module = sys.modules.get(package) or importlib.import_module(package)
    folder = Path(module.__file__).parent
    index: dict[str, list] = {}
    for path in sorted(folder.rglob("*.py")):
        relative = path.relative_to(folder).with_suffix("").parts
        name = ".".join((package, *relative)).removesuffix(".__init__")
        if name not in sys.modules:  # only what the service really loads
            continue
        for value in vars(sys.modules[name]).values():
            if getattr(value, "__module__", None) != name:
                continue
            if isinstance(value, types.FunctionType):
                index.setdefault(value.__name__, []).append(value)
            elif isinstance(value, type):
                for attr, member in vars(value).items():
                    for function in _callables(member):
                        index.setdefault(attr, []).append(function)
    return {name: tuple(functions) for name, functions in index.items()}
