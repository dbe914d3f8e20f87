"""Why the platform does not start: one error type for every refusal at start.

A refusal says what is wrong and what to do about it, and ``python -m local_runtime`` exits 2
with it: a port that is taken, a package or a web build that is missing or built for another
machine, a plan Terraform could not make (``plan.terraform.PlanError``), a value the plan does
not know (``plan.errors.UnresolvedValueError``), or something in the plan the runtime does not
emulate or that AWS itself would refuse (``plan.errors.UnsupportedError``).

Each service answers its own callers in its own idiom, once (``events.errors``,
``appsync.errors``, ``functions.invoke``, ``apigateway.errors``).
"""

from __future__ import annotations


class StartError(RuntimeError):
    """The platform cannot start as asked; the message says why and what to do."""
