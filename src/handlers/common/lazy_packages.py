"""Import one module of a package without running the package's ``__init__`` first, and a
module only when it is first used.

Powertools' ``event_handler`` and ``utilities.data_classes`` packages re-export every resolver
and every event class from their ``__init__``, and Python runs a package's ``__init__``
before any of its modules: importing the AppSync Events resolver alone loaded the REST, HTTP,
GraphQL, Bedrock and VPC Lattice resolvers, the OpenAPI models and some forty event classes,
about half of the channel handler's cold start (``python -X importtime``, `make bench`).

``defer_init(name)`` puts the package in ``sys.modules`` as an import would, with its
``__path__`` and spec, but without running its ``__init__``: its modules import as usual,
each loading only what it imports itself. A name asked of the package itself is resolved the
way its ``__init__`` defines it (a module ``__getattr__``, PEP 562): ``from pkg.mod import
Name`` lines in the ``__init__`` map each re-exported name to its module, imported on first
use; a module of the package is imported as itself. Any other name (``__all__``, or one the
``__init__`` defines itself) runs the real ``__init__`` into the module once, so every name
it defines is there as before: nothing is dropped, the cost moves to the code that asks.
Resolving name by name, not by running the whole ``__init__``, matters: Powertools' own
modules import names from their package (``sqs_event`` takes ``S3Event`` from
``data_classes``), which would otherwise run the ``__init__`` while one of its modules is
half imported. Powertools made the same change upstream for its parser package
(aws-powertools/powertools-lambda-python#8405); this does it for the two packages the
handlers import from, until upstream does.

``defer_module(name, functions=...)`` goes one step further for a module a library imports at
its top but uses only in a call a function may never make: the module runs on the first
attribute asked of it, or on the first call of one of ``functions``, the names the library
takes with ``from name import f`` (which would otherwise run it at once). The standard
library's ``importlib.util.LazyLoader`` does not do this: the import system reads a lazy
module's ``__spec__`` at every later import of it, which runs the module at once.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

# ``from <package>.<module> import A, B as C`` or ``from .<module> import (...)``
_REEXPORT = re.compile(r"^from\s+(\S+)\s+import\s+(\([^)]*\)|[^\n]+)", re.MULTILINE)


def reexports(package: str, source: str) -> dict[str, tuple[str, str]]:
    """Name -> (module, name in it) for each ``from ... import`` of an ``__init__``."""
    found = {}
    for origin, names in _REEXPORT.findall(source):
        # ``.mod`` is a module of the package; ``.`` names modules (imported as themselves
        # when asked for), ``..mod`` a module outside it: neither is a re-export here.
        if origin == "." or origin.startswith(".."):
            continue
        module = package + origin if origin.startswith(".") else origin
        if not module.startswith(package + ".") or origin == "__future__":
            continue
        text = " ".join(line.split("#", 1)[0] for line in names.splitlines())
        for item in text.strip().strip("()").split(","):
            parts = item.split()
            if len(parts) == 1:
                found[parts[0]] = (module, parts[0])
            elif len(parts) == 3 and parts[1] == "as":
                found[parts[2]] = (module, parts[0])
    return found


def defer_init(name: str) -> ModuleType:
    """Register package ``name`` with its ``__init__`` deferred (a no-op once imported)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if (
        spec is None
        or spec.loader is None
        or spec.origin is None
        or spec.submodule_search_locations is None
    ):
        raise ImportError(f"{name} is not a package that can be imported", name=name)
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader
    names = reexports(name, Path(spec.origin).read_text(encoding="utf-8"))
    ran = False

    def __getattr__(attribute: str) -> Any:  # noqa: N807 (PEP 562's name)
        nonlocal ran
        if attribute in names:
            origin, original = names[attribute]
            value = getattr(importlib.import_module(origin), original)
            setattr(module, attribute, value)
            return value
        if not attribute.startswith("__") and importlib.util.find_spec(f"{name}.{attribute}"):
            return importlib.import_module(f"{name}.{attribute}")  # a module of the package
        if not ran:
            ran = True
            loader.exec_module(module)
            if attribute in module.__dict__:
                return module.__dict__[attribute]
        raise AttributeError(f"module {name!r} has no attribute {attribute!r}", name=attribute)

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return module


def defer_module(name: str, functions: tuple[str, ...] = ()) -> ModuleType:
    """Register module ``name`` to run on first use (a no-op once imported).

    Each name of ``functions`` is a stand-in that runs the module and calls its function of
    that name; once the module has run, its own names replace the stand-ins.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"{name} is not a module that can be imported", name=name)
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def run() -> dict[str, Any]:
        namespace = module.__dict__
        if namespace.get("__getattr__") is __getattr__:  # the first use
            del namespace["__getattr__"]
            for function in functions:
                del namespace[function]
            loader.exec_module(module)
        return namespace

    def __getattr__(attribute: str) -> Any:  # noqa: N807 (PEP 562's name)
        if attribute == "__path__":  # the import system asks a module if it is a package
            raise AttributeError(f"module {name!r} has no attribute '__path__'", name=attribute)
        namespace = run()
        if attribute in namespace:
            return namespace[attribute]
        raise AttributeError(f"module {name!r} has no attribute {attribute!r}", name=attribute)

    def stand_in(function: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            return run()[function](*args, **kwargs)

        call.__name__ = call.__qualname__ = function
        return call

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    for function in functions:
        setattr(module, function, stand_in(function))
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent in sys.modules:
        setattr(sys.modules[parent], child, module)
    return module
