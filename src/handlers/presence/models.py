"""What a member says about itself, and what a presence channel announces.

A member's data is small and validated like a chat message: a display name and a status,
each stripped and length-limited, personal data masked (``mask_pii``), unknown keys refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, StrictStr
from pydantic import StringConstraints as Str

from handlers.common.models import ContractModel

Action = Literal["enter", "update", "leave"]


class PresenceData(ContractModel):
    """What a member shows the others: both optional, both short."""

    model_config = ConfigDict(**ContractModel.model_config, str_strip_whitespace=True)

    name: Annotated[StrictStr, Str(min_length=1, max_length=64)] | None = None
    status: Annotated[StrictStr, Str(min_length=1, max_length=64)] | None = None


@dataclass(frozen=True)
class Member:
    """One member of one channel's presence set, as stored.

    ``expires_at`` (epoch seconds) is the last heartbeat plus two intervals: past it, the
    member is gone for readers and the sweep's to remove. ``version`` grows with every
    write, so a sweep removes only the member it read (a heartbeat in between wins).
    ``announce`` is what the write that made this version announces (None for a heartbeat):
    decided once, by the writer, and read from the table's stream by the announcer.
    ``write_id`` is unique to the write (a version starts again at 1 after a leave): the
    announcer makes each announcement's message id from it."""

    channel: str
    member_id: str
    data: dict[str, str]
    entered_at: int
    expires_at: int
    version: int
    announce: Action | None = None
    write_id: str = ""

    def present(self, now: int) -> bool:
        return now < self.expires_at


@dataclass(frozen=True)
class Announcement:
    """What the presence channel of ``channel`` publishes: an enter, update or leave."""

    action: Action
    channel: str
    member_id: str
    data: dict[str, str]
    at: int  # epoch seconds

    def payload(self) -> dict[str, object]:
        return {
            "action": self.action,
            "channel": self.channel,
            "member": {"id": self.member_id, "data": self.data},
            "at": self.at,
        }


def member_of(values: Mapping[str, Any]) -> Member:
    """A member from an item's plain values (a read, or an image of the table's stream)."""
    announce = values.get("announce")
    return Member(
        channel=str(values["channel"]),
        member_id=str(values["member"]),
        data={str(k): str(v) for k, v in (values.get("data") or {}).items()},
        entered_at=int(values["enteredAt"]),
        expires_at=int(values["expiresAt"]),
        version=int(values["version"]),
        announce=announce if announce in ("enter", "update", "leave") else None,
        write_id=str(values.get("writeId") or ""),
    )
