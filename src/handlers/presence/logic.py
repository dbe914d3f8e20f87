"""Plain logic of presence: enter, update, heartbeat, leave, list and the sweep. No AWS.

Every write is conditional on the version read (``MemberStore``), so concurrent writers never
both win: a heartbeat racing a sweep either keeps the member (the sweep's delete fails) or
comes too late (the member left, and the heartbeat says so). Each change announces at most
once: two sweeps that read the same expired member delete it once, so one leave is published.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from pydantic import ValidationError

from handlers.common.errors import describe_validation_error
from handlers.common.pii import mask_pii
from handlers.presence.models import Announcement, Member, PresenceData

EpochClock = Callable[[], int]
# A write that lost a race is tried again this many times before the caller is told.
_ATTEMPTS = 3


def epoch_now() -> int:
    return int(time.time())


def _write_id() -> str:
    return uuid.uuid4().hex


class PresenceError(ValueError):
    """A request presence refuses; the message says what to do."""


class NotPresentError(PresenceError):
    """A heartbeat or update of a member that is not (or no longer) present."""


class ContendedError(RuntimeError):
    """Writes kept losing races; sending again is safe."""


class MemberStore(Protocol):
    """Members by channel and id; every write conditional on what was read."""

    def get(self, channel: str, member_id: str) -> Member | None: ...

    def put(self, member: Member, *, expected_version: int | None) -> bool:
        """Write ``member`` if the stored version is ``expected_version`` (None: absent)."""

    def delete(self, member: Member, *, expired_by: int | None = None) -> bool:
        """Delete ``member`` if its version is still the one read (and, with ``expired_by``,
        it expired by then); False when another writer changed or removed it first."""

    def members(self, channel: str) -> list[Member]: ...

    def expired(self, now: int, limit: int) -> list[Member]:
        """Up to ``limit`` members, of any channel, whose expiry is at or before ``now``."""


def parse_data(data: Any) -> dict[str, str]:
    """A member's data, validated and with personal data masked; PresenceError names the
    field that is wrong."""
    if data is not None and not isinstance(data, dict):
        raise PresenceError(f"presence data must be a JSON object, got {type(data).__name__}")
    try:
        parsed = PresenceData.model_validate(data or {})
    except ValidationError as exc:
        problems = "; ".join(describe_validation_error(exc, "data"))
        raise PresenceError(f"presence data refused: {problems}") from exc
    return {k: mask_pii(v) for k, v in parsed.model_dump(exclude_none=True).items()}


def announcement_of(old: Member | None, new: Member | None, at: int) -> Announcement | None:
    """What a change of one member announces, from its images before and after (a write
    here, or a record of the table's stream): ``enter`` when it was not present at ``at``,
    ``update`` when its data changed, ``leave`` when it is gone; nothing for a heartbeat."""
    if new is None:
        if old is None:
            return None
        return Announcement("leave", old.channel, old.member_id, old.data, at)
    if old is None or not old.present(at):
        return Announcement("enter", new.channel, new.member_id, new.data, at)
    if old.data != new.data:
        return Announcement("update", new.channel, new.member_id, new.data, at)
    return None


class Presence:
    """Presence over one store: members expire ``2 * heartbeat_seconds`` after their last
    heartbeat, and the sweep (every ``sweep`` run) removes them and announces their leave."""

    def __init__(
        self, store: MemberStore, heartbeat_seconds: int, clock: EpochClock = epoch_now
    ) -> None:
        if heartbeat_seconds < 1:
            raise ValueError("heartbeat_seconds must be 1 or more")
        self.store = store
        self.heartbeat_seconds = heartbeat_seconds
        self.clock = clock

    @property
    def lifetime(self) -> int:
        """How long a member stays present without a heartbeat: two intervals."""
        return 2 * self.heartbeat_seconds

    def enter(self, channel: str, member_id: str, data: Any = None) -> Announcement | None:
        """Enter (or re-enter) with ``data``: ``enter`` if the member was not present,
        ``update`` if its data changed, nothing if it was present with the same data (a
        client that enters again after a reconnect announces nothing new)."""
        values = parse_data(data)
        for _ in range(_ATTEMPTS):
            now = self.clock()
            found = self.store.get(channel, member_id)
            present = found is not None and found.present(now)
            member = Member(
                channel=channel,
                member_id=member_id,
                data=values,
                entered_at=found.entered_at if found is not None and present else now,
                expires_at=now + self.lifetime,
                version=(found.version + 1) if found is not None else 1,
            )
            announced = announcement_of(found, member, now)
            member = replace(
                member, announce=announced.action if announced else None, write_id=_write_id()
            )
            if self.store.put(member, expected_version=found.version if found else None):
                return announced
        raise ContendedError("presence is busy on this channel; enter again")

    def update(self, channel: str, member_id: str, data: Any) -> Announcement | None:
        """New data for a present member (also a heartbeat): ``update`` if it changed."""
        values = parse_data(data)
        return self._touch(channel, member_id, lambda m: replace(m, data=values))

    def heartbeat(self, channel: str, member_id: str) -> None:
        """The member is still here: its expiry moves on. NotPresentError once it expired
        or left (the client enters again)."""
        self._touch(channel, member_id, lambda m: m)

    def _touch(
        self, channel: str, member_id: str, change: Callable[[Member], Member]
    ) -> Announcement | None:
        for _ in range(_ATTEMPTS):
            now = self.clock()
            found = self.store.get(channel, member_id)
            if found is None or not found.present(now):
                raise NotPresentError(f"{member_id} is not present on {channel}: enter first")
            member = replace(
                change(found), expires_at=now + self.lifetime, version=found.version + 1
            )
            announced = announcement_of(found, member, now)
            member = replace(
                member, announce=announced.action if announced else None, write_id=_write_id()
            )
            if self.store.put(member, expected_version=found.version):
                return announced
        raise ContendedError("presence is busy on this channel; send again")

    def leave(self, channel: str, member_id: str) -> Announcement | None:
        """Leave: ``leave`` once; nothing if the member was not there (a second leave, or
        one after the sweep removed it)."""
        for _ in range(_ATTEMPTS):
            found = self.store.get(channel, member_id)
            if found is None:
                return None
            if self.store.delete(found):
                return announcement_of(found, None, self.clock())
        raise ContendedError("presence is busy on this channel; leave again")

    def members(self, channel: str) -> list[Member]:
        """The members present now, oldest entry first."""
        now = self.clock()
        present = [m for m in self.store.members(channel) if m.present(now)]
        return sorted(present, key=lambda m: (m.entered_at, m.member_id))

    def occupancy(self, channel: str) -> int:
        """How many members are present on ``channel`` now."""
        return len(self.members(channel))

    def sweep(self, limit: int = 100) -> list[Announcement]:
        """``sweep`` over this store, now."""
        return sweep(self.store, self.clock(), limit)


def sweep(store: MemberStore, now: int, limit: int = 100) -> list[Announcement]:
    """Remove up to ``limit`` members expired by ``now``; the leave of each one removed here.
    A member another sweep removed, or that sent a heartbeat since it was read, is left
    alone and not counted: two overlapping sweeps remove (and announce) each member once."""
    leaves = []
    for member in store.expired(now, limit):
        if store.delete(member, expired_by=now):
            leaves.append(announcement_of(member, None, now))
    return [leave for leave in leaves if leave is not None]
