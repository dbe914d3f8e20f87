"""The cursors of the two history APIs (channel history, report history) and their other
query parameters: exactly what they encode, and every way a copied, stale or forged one is
refused with the message the API answers (HTTP 400)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from handlers.channel_history import logic as channels
from handlers.report_history import logic as reports

ROOM = "/chat/room-1"


def b64(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# --- channel history ---------------------------------------------------------------------------


def test_a_channel_cursor_is_the_compact_position_without_padding() -> None:
    cursor = channels.encode_cursor(ROOM, 7)
    assert "=" not in cursor
    assert base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)) == (
        b'{"channel":"/chat/room-1","seq":7}'
    )
    assert channels._decode_cursor(cursor, ROOM) == 7
    assert channels._decode_cursor(channels.encode_cursor(ROOM, 0), ROOM) == 0


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        b64(b"not json"),
        b64([ROOM, 7]),
        b64({"channel": ROOM}),
        b64({"seq": 7}),
        b64({"channel": ROOM, "seq": 7, "extra": 1}),
        b64({"channel": ROOM, "seq": "7"}),
        b64({"channel": ROOM, "seq": True}),
        b64({"channel": ROOM, "seq": 1.5}),
        b64({"channel": ROOM, "seq": -1}),
    ],
)
def test_a_channel_cursor_that_was_not_given_out_is_refused(cursor: str) -> None:
    with pytest.raises(channels.HistoryRequestError) as refused:
        channels._decode_cursor(cursor, ROOM)
    assert str(refused.value) == "cursor is not one this API gave out"


@pytest.mark.parametrize("other", ["/chat/room-10", "/chat/room", "/chat/ROOM-1", 7, None])
def test_a_cursor_of_another_channel_is_refused_even_one_that_shares_a_prefix(
    other: Any,
) -> None:
    cursor = b64({"channel": other, "seq": 3})
    with pytest.raises(channels.HistoryRequestError) as refused:
        channels._decode_cursor(cursor, ROOM)
    assert str(refused.value) == "cursor belongs to another channel than /chat/room-1"


@pytest.mark.parametrize(
    ("query", "after"),
    [
        (channels.Query(ROOM[1:]), 0),
        (channels.Query(ROOM[1:], after=""), 0),
        (channels.Query(ROOM[1:], after="0"), 0),
        (channels.Query(ROOM[1:], after="999999999999999"), 999999999999999),
        (channels.Query(ROOM[1:], cursor=channels.encode_cursor(ROOM, 12)), 12),
    ],
)
def test_where_a_read_starts(query: channels.Query, after: int) -> None:
    assert channels._after(query, ROOM) == after


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            channels.Query(ROOM[1:], after="1", cursor=channels.encode_cursor(ROOM, 1)),
            "give after or cursor, not both",
        ),
        (channels.Query(ROOM[1:], after="-1"), "after must be a seq: a whole number from 0"),
        (channels.Query(ROOM[1:], after="1" * 16), "after must be a seq: a whole number from 0"),
        (channels.Query(ROOM[1:], after="\u0663"), "after must be a seq: a whole number from 0"),
    ],
)
def test_a_start_that_is_not_one_is_refused(query: channels.Query, message: str) -> None:
    with pytest.raises(channels.HistoryRequestError) as refused:
        channels._after(query, ROOM)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("raw", "size"), [(None, 40), ("", 40), ("1", 1), ("100", 100), ("007", 7)]
)
def test_a_channel_page_size(raw: str | None, size: int) -> None:
    assert channels._limit(raw, 40) == size


@pytest.mark.parametrize("raw", ["0", "101", "1000", "x", "\u00b2", "-5", "5 "])
def test_a_channel_page_size_out_of_range_is_refused(raw: str) -> None:
    with pytest.raises(channels.HistoryRequestError) as refused:
        channels._limit(raw, 40)
    assert str(refused.value) == "limit must be a whole number from 1 to 100"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("chat//x", "segment '' is not"),
        ("chat/room_1", "segment 'room_1' is not"),
        ("chat/a/b/c/d/e", "a channel has 1-5 segments"),
    ],
)
def test_a_path_that_names_no_channel_is_refused(path: str, message: str) -> None:
    with pytest.raises(channels.HistoryRequestError, match=message):
        channels.channel_named(path)
    assert channels.channel_named("chat/room-1").segments == ("chat", "room-1")
    assert channels.channel_named("chat/a/b").segments == ("chat", "a", "b")


def test_an_event_is_served_until_the_second_it_expires() -> None:
    from handlers.channels.identity import AuthKind, Caller  # noqa: PLC0415
    from handlers.common.history import KeptEvent  # noqa: PLC0415

    def kept(seq: int, expires_at: int) -> KeptEvent:
        return KeptEvent(ROOM, seq, f"e-{seq}", "2026-12-05T00:00:00Z", {"n": seq}, expires_at)

    class Store:
        def events_after(self, channel: str, after: int, limit: int) -> channels.Page:
            return channels.Page([kept(1, 999), kept(2, 1000), kept(3, 1001)], more=True)

    answer = channels.read_history(
        Store(),
        Caller(AuthKind.API_KEY),
        channels.Query(ROOM[1:]),
        durable={"chat": 7},
        default_limit=100,
        clock=lambda: 1000.0,
    )
    assert [e["seq"] for e in answer["events"]] == [3]
    # The next page starts after the last event read, served or not.
    assert answer["next"] == channels.encode_cursor(ROOM, 3)


# --- report history ---------------------------------------------------------------------------

USER = "u-1"


def test_a_report_cursor_is_the_compact_sorted_position_without_padding() -> None:
    position = {"sk": "REPORT#q#2026", "pk": reports.partition_of(USER)}
    cursor = reports.encode_cursor(position)
    assert "=" not in cursor
    assert base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)) == (
        b'{"pk":"USER#u-1","sk":"REPORT#q#2026"}'
    )
    assert reports.decode_cursor(cursor, USER) == position


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        b64(b"[1"),
        b64(["USER#u-1", "REPORT#x"]),
        b64({"pk": "USER#u-1"}),
        b64({"pk": "USER#u-1", "sk": "REPORT#x", "extra": "1"}),
        b64({"pk": "USER#u-1", "sk": 5}),
        b64({"pk": None, "sk": "REPORT#x"}),
        b64({"pk": "USER#u-1", "sk": "ANSWER#x"}),
    ],
)
def test_a_report_cursor_that_was_not_given_out_is_refused(cursor: str) -> None:
    with pytest.raises(reports.HistoryRequestError) as refused:
        reports.decode_cursor(cursor, USER)
    assert str(refused.value) == "cursor is not one this API gave out"


@pytest.mark.parametrize("owner", ["u-10", "u-", "U-1", "u-1 "])
def test_a_report_cursor_of_another_user_is_refused_even_one_that_shares_a_prefix(
    owner: str,
) -> None:
    cursor = b64({"pk": reports.partition_of(owner), "sk": "REPORT#q#1"})
    with pytest.raises(reports.HistoryRequestError) as refused:
        reports.decode_cursor(cursor, USER)
    assert str(refused.value) == "cursor belongs to another user's history"


@pytest.mark.parametrize(("raw", "size"), [(None, 20), ("", 20), ("1", 1), ("50", 50)])
def test_a_report_page_size(raw: str | None, size: int) -> None:
    assert reports.page_size(raw, 20) == size


@pytest.mark.parametrize("user", ["", "a b", "a" * 129, "u-1\n", "ü"])
def test_a_subject_that_cannot_name_a_user_is_refused(user: str) -> None:
    class Nobody:
        def reports_of(self, *_: Any) -> reports.Page:
            raise AssertionError("the store is never asked")

    with pytest.raises(reports.HistoryRequestError) as refused:
        reports.history(
            Nobody(), user, limit=None, cursor=None, questionnaire_id=None, default_limit=20
        )
    assert str(refused.value) == "the token's subject cannot name a user"


def test_a_page_is_asked_for_as_the_request_says_and_answered_with_its_cursor() -> None:
    asked: list[tuple[Any, ...]] = []

    class Store:
        def reports_of(self, *args: Any) -> reports.Page:
            asked.append(args)
            return reports.Page([{"reportId": "r-1"}], {"pk": "USER#u-1", "sk": "REPORT#q#1"})

    start = reports.encode_cursor({"pk": "USER#u-1", "sk": "REPORT#q#9"})
    answer = reports.history(
        Store(), USER, limit="3", cursor=start, questionnaire_id="q.v1", default_limit=20
    )
    assert asked == [(USER, "q.v1", 3, {"pk": "USER#u-1", "sk": "REPORT#q#9"})]
    assert answer == {
        "items": [{"reportId": "r-1"}],
        "nextCursor": reports.encode_cursor({"pk": "USER#u-1", "sk": "REPORT#q#1"}),
    }
    assert reports.history(
        Store(), USER, limit=None, cursor=None, questionnaire_id=None, default_limit=20
    )["items"] == [{"reportId": "r-1"}]
    assert asked[-1] == (USER, None, 20, None)
