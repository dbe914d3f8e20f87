"""The two ways a plan can stop the local runtime: a value it needs is unknown or has no local
equivalent, or the plan uses something the runtime does not emulate (or AWS would refuse).
"""

from __future__ import annotations

from local_runtime.errors import StartError


class UnresolvedValueError(StartError):
    """A value the runtime needs is unknown in the plan or has no local equivalent."""

    def __init__(self, address: str, attribute: str, why: str = "unknown until apply") -> None:
        self.address = address
        self.attribute = attribute
        super().__init__(
            f"{address}: {attribute} is {why}, and the local runtime has no local equivalent "
            "for it (see src/local_runtime/plan/equivalents.py)"
        )


class UnsupportedError(StartError):
    """The plan uses something the local runtime does not emulate, or that AWS refuses."""
