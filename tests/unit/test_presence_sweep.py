"""The presence sweep on its schedule: expired members removed a page at a time, present ones
kept, nothing removed twice."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from handlers.presence.dal import DynamoDBMemberStore
from handlers.presence.logic import Presence
from handlers.presence_sweep import handler as sweeper
from handlers.presence_sweep.settings import get_settings
from tests.unit.aws import REGION
from tests.unit.conftest import metric_values
from tests.unit.test_presence import presence_table

TABLE = "presence-sweep-test"


@pytest.fixture
def presence(monkeypatch: pytest.MonkeyPatch) -> Iterator[Presence]:
    """Members entered two minutes ago with a 30 s heartbeat: expired now, unless they beat."""
    monkeypatch.setenv("PRESENCE_TABLE_NAME", TABLE)
    monkeypatch.setenv("SWEEP_PAGE", "2")
    get_settings.cache_clear()
    sweeper.store.cache_clear()
    with mock_aws():
        presence_table(TABLE)
        store = DynamoDBMemberStore(TABLE, boto3.client("dynamodb", region_name=REGION))
        yield Presence(store, 30, lambda: int(time.time()) - 120)
    sweeper.store.cache_clear()
    get_settings.cache_clear()


def test_expired_members_are_removed_a_page_at_a_time(
    presence: Presence, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(3):
        presence.enter("/chat/room-1", f"u-{n}")
    here = Presence(presence.store, 30)  # entered now: present
    here.enter("/chat/room-1", "u-here")
    assert sweeper.lambda_handler({}, lambda_context) == {"removed": 3, "pages": 2}
    assert [m.member_id for m in here.members("/chat/room-1")] == ["u-here"]
    assert sweeper.lambda_handler({}, lambda_context) == {"removed": 0, "pages": 1}
    assert metric_values(capsys.readouterr().out)["PresenceMembersSwept"] == 3


def test_a_sweep_stops_before_the_functions_time_is_up(
    presence: Presence, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    presence.enter("/chat/room-1", "u-1")
    monkeypatch.setattr(lambda_context, "get_remaining_time_in_millis", lambda: 4_000)
    assert sweeper.lambda_handler({}, lambda_context) == {"removed": 0, "pages": 0}
    assert len(presence.store.expired(int(time.time()), 10)) == 1  # left for the next run
