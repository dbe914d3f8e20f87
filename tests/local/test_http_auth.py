"""The HTTP API's JWT authorizer and throttling, and the edge's limit per caller, as planned:
a copy of the root whose upload route takes tokens of a Cognito user pool it declares, with a
small burst and a small limit per token."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.local.platform import LocalPlatform
from tests.local.roots import HANDLERS
from tests.local.test_flows import order, stored_orders

pytestmark = pytest.mark.local


@pytest.fixture(scope="module")
def guarded(plans: Path, auth_root: Path) -> Iterator[LocalPlatform]:
    local = LocalPlatform(plans / "guarded", root=auth_root, args=["--extra-code", str(HANDLERS)])
    local.start()
    try:
        yield local
    finally:
        assert local.stop() == 0, local.console_text()


def id_token(platform: LocalPlatform) -> str:
    cognito = platform.client("cognito-idp")
    pool, client = (
        platform.outputs["test_user_pool_id"],
        platform.outputs["test_user_pool_client_id"],
    )
    email, password = f"{uuid.uuid4().hex[:8]}@example.com", "Local-Passw0rd!"
    cognito.sign_up(ClientId=client, Username=email, Password=password)
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username=email)
    tokens = cognito.initiate_auth(
        ClientId=client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )["AuthenticationResult"]
    token: str = tokens["IdToken"]
    return token


def test_the_route_takes_only_valid_tokens_of_the_planned_pool(guarded: LocalPlatform) -> None:
    upload = guarded.outputs["upload_url"]
    assert guarded.outputs["test_user_pool_id"].startswith("eu-west-1_")  # moto's id, resolved

    assert guarded.post(upload, order("no-token")) == (401, {"message": "Unauthorized"})
    token = id_token(guarded)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    status, _ = guarded.post(upload, order("forged"), headers={"Authorization": forged})
    assert status == 401

    order_id = f"jwt-{uuid.uuid4().hex[:6]}"
    status, answer = guarded.post(
        upload, order(order_id), headers={"Authorization": f"Bearer {token}"}
    )
    assert (status, answer["FailedEntryCount"]) == (200, 0)
    guarded.settle()
    assert stored_orders(guarded).get(order_id) == 1
    assert "-> 401: no token in Authorization" in guarded.console_text()


def test_requests_beyond_the_planned_burst_get_429(guarded: LocalPlatform) -> None:
    time.sleep(3.5)  # the bucket refills at 1 request per second, up to 3
    token = id_token(guarded)
    answers = [
        guarded.post(
            guarded.outputs["upload_url"],
            order(f"burst-{n}"),
            headers={"Authorization": token},
        )
        for n in range(8)
    ]
    throttled = [a for a in answers if a[0] == 429]
    passed = [a for a in answers if a[0] == 200]
    assert 3 <= len(passed) <= 4  # the burst, and at most one token refilled meanwhile
    assert len(throttled) == 8 - len(passed)
    assert throttled[0][1] == {"message": "Too Many Requests"}


def test_each_caller_token_has_its_own_limit_at_the_edge(guarded: LocalPlatform) -> None:
    """upload_url is the web app's distribution; its web ACL counts each token's uploads. Past
    10 in the window, that caller is blocked (403) while another caller is not."""
    first, second = id_token(guarded), id_token(guarded)
    statuses = []
    for n in range(11):
        status, _ = guarded.post(
            guarded.outputs["upload_url"], order(f"edge-{n}"), headers={"Authorization": first}
        )
        statuses.append(status)
    # The first ten reach the HTTP API (whose small burst may answer 429); the 11th does not.
    assert all(s in (200, 429) for s in statuses[:10]), statuses
    assert statuses[10] == 403, statuses
    assert guarded.post(
        guarded.outputs["upload_url"], order("edge-blocked"), headers={"Authorization": first}
    ) == (403, "Request blocked.")
    time.sleep(1.5)  # the HTTP API's bucket refills one request per second
    status, _ = guarded.post(
        guarded.outputs["upload_url"], order("edge-other"), headers={"Authorization": second}
    )
    assert status == 200
    assert "403 by rate-limit-uploads-per-caller" in guarded.console_text()
