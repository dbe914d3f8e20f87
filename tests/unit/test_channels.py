"""Channel handler: real-shaped AppSync Events direct-integration requests, real resolver."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from handlers.channels import handler as channels
from handlers.channels.identity import AuthKind, IdentityRules, caller_from_identity
from handlers.channels.settings import get_settings
from tests.conftest import EVENTS, load_event
from tests.unit.aws import create_history_table, create_table
from tests.unit.conftest import emitted, log_records, metric_values

TABLE = "answers-test"
IDENTITIES: dict[str, Any] = json.loads((EVENTS / "appsync_identities.json").read_text())

# What the platform trusts, as Terraform configures it (terraform/realtime.tf).
COGNITO_ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI"
OIDC_ISSUER = "https://login.example.com/"
SERVICE_ROLE = "arn:aws:iam::123456789012:role/service/platform-report-delivery"
IDENTITY_POOL = "eu-west-1:11112222-3333-4444-5555-666677778888"
RULES = IdentityRules.of(
    user_pool_issuer=COGNITO_ISSUER,
    oidc_issuer=OIDC_ISSUER,
    identity_pools=[IDENTITY_POOL],
    service_role_arns=[SERVICE_ROLE],
)

# The user id each identity stands for (see handlers/channels/identity.py): the platform's
# pool names its users as they are, every other source in a namespace of its own.
USER_IDS = {
    "cognito": ("AMAZON_COGNITO_USER_POOLS", "0f1e2d3c-4b5a-4697-8877-665544332211"),
    "oidc": ("OPENID_CONNECT", "oidc-auth0-5f2b7c"),
    "iam_cognito_identity": ("AWS_IAM", "idp-7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"),
    "lambda": ("AWS_LAMBDA", "lambda-tenant1-user7"),
}


def request(
    operation: str,
    path: str,
    identity: str = "api_key",
    payloads: list[Any] | None = None,
) -> dict[str, Any]:
    """An AppSync Events direct Lambda request for ``path``, as AppSync sends it."""
    event = load_event("appsync_events_publish")
    segments = path.strip("/").split("/")
    event["info"] = {
        "channel": {"path": path, "segments": segments},
        "channelNamespace": {"name": segments[0]},
        "operation": operation,
    }
    event["identity"] = copy.deepcopy(IDENTITIES[identity])
    if operation == "PUBLISH":
        event["events"] = [
            {"id": f"item-{n}", "payload": payload} for n, payload in enumerate(payloads or [])
        ]
    else:
        event["events"] = None
    return event


def publish(path: str, payloads: list[Any], identity: str, context: Any) -> list[dict[str, Any]]:
    response = channels.lambda_handler(request("PUBLISH", path, identity, payloads), context)
    assert set(response) == {"events"}
    items: list[dict[str, Any]] = response["events"]
    return items


def subscribe(path: str, identity: str, context: Any) -> Any:
    return channels.lambda_handler(request("SUBSCRIBE", path, identity), context)


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ANSWERS_TABLE_NAME", TABLE)
    monkeypatch.setenv("USER_POOL_ISSUER", COGNITO_ISSUER)
    monkeypatch.setenv("OIDC_ISSUER", OIDC_ISSUER)
    monkeypatch.setenv("IDENTITY_POOL_IDS", IDENTITY_POOL)
    monkeypatch.setenv("SERVICE_ROLE_ARNS", SERVICE_ROLE)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def answers_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with mock_aws():
        yield create_table(TABLE)


# --- identity ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), sorted(USER_IDS.items()))
def test_user_id_comes_from_the_identity_of_each_auth_mode(
    name: str, expected: tuple[str, str]
) -> None:
    caller = caller_from_identity(IDENTITIES[name], RULES)
    assert (caller.kind.value, caller.user_id) == expected
    assert caller.service is None


def test_api_key_callers_have_no_user_id() -> None:
    caller = caller_from_identity(None, RULES)
    assert caller.kind is AuthKind.API_KEY
    assert caller.user_id is None


@pytest.mark.parametrize(
    "identity",
    [
        {"userArn": "arn:aws:iam::123456789012:root", "accountId": "123456789012"},
        {"userArn": "not-an-arn", "accountId": "123456789012"},
        {"handlerContext": {"plan": "pro"}},
        {"handlerContext": None},
        {"sub": ""},
        {"something": "else"},
    ],
)
def test_identities_without_a_usable_user_id_get_none(identity: dict[str, Any]) -> None:
    assert caller_from_identity(identity, RULES).user_id is None


def with_(name: str, **changes: Any) -> dict[str, Any]:
    identity: dict[str, Any] = copy.deepcopy(IDENTITIES[name])
    identity.update(changes)
    return identity


SPOOFS = {
    # Anyone who may assume a role chooses its session name: never a user id.
    "role session named as a user": with_(
        "iam_role",
        userArn="arn:aws:sts::123456789012:assumed-role/platform-web/"
        "0f1e2d3c-4b5a-4697-8877-665544332211",
    ),
    "iam user named as a user": with_(
        "iam_user", userArn="arn:aws:iam::123456789012:user/0f1e2d3c-4b5a-4697-8877-665544332211"
    ),
    "unauthenticated identity pool guest": with_(
        "iam_cognito_identity", cognitoIdentityAuthType="unauthenticated"
    ),
    "token of an issuer not configured": with_(
        "oidc", issuer="https://evil.example.com/", sub="0f1e2d3c-4b5a-4697-8877-665544332211"
    ),
    "cognito token of another pool": with_(
        "cognito", issuer="https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"
    ),
    "oidc sub that is a wildcard": with_("oidc", sub="*"),
    "lambda authoriser sub with a separator": {"handlerContext": {"sub": "alice/reports"}},
    "lambda authoriser sub with a colon": {"handlerContext": {"sub": "eu-west-1:alice"}},
    "cognito sub too long": with_("cognito", sub="a" * 51),
    "identity pool the platform does not trust": with_(
        "iam_cognito_identity",
        cognitoIdentityPoolId="eu-west-1:99998888-7777-6666-5555-444433332222",
    ),
    "identity pool caller with no pool id": with_(
        "iam_cognito_identity", cognitoIdentityPoolId=None
    ),
    "identity pool caller with a null auth type": with_(
        "iam_cognito_identity", cognitoIdentityAuthType=None
    ),
    "pool sub in the namespace of OIDC users": with_("cognito", sub="oidc-auth0-5f2b7c"),
    "pool sub in the namespace of authoriser users": with_("cognito", sub="lambda-tenant1-user7"),
    "pool sub in the namespace of identity pool users": with_(
        "cognito", sub="idp-7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
    ),
    "oidc sub too long once prefixed": with_("oidc", sub="a" * 46),
    # Python's ``$`` matches before a final newline: every id check must take the whole text.
    "cognito sub with a trailing newline": with_("cognito", sub="alice\n"),
    "lambda authoriser sub with a trailing newline": {"handlerContext": {"sub": "alice\n"}},
    "service session with a trailing newline": with_(
        "iam_role",
        userArn="arn:aws:sts::123456789012:assumed-role/platform-report-delivery/fn\n",
    ),
    "service session of a role in another account": with_(
        "iam_role",
        userArn="arn:aws:sts::999999999999:assumed-role/platform-report-delivery/x",
    ),
}


# Why each names no user, as the refusal tells the client.
_UNUSABLE = "is not a usable user id (1-50 letters, digits or hyphens)"
_NOT_A_USER = (
    "IAM callers other than signed-in identity pool users have no user id "
    "(a role session name is not one)"
)
_RESERVED = "caller begins with a prefix reserved for users of other sources"
_UNTRUSTED_POOL = "identities of an identity pool the platform does not trust name no user here"
WHY = {
    "cognito sub too long": f"the sub of this AMAZON_COGNITO_USER_POOLS caller {_UNUSABLE}",
    "cognito sub with a trailing newline": (
        f"the sub of this AMAZON_COGNITO_USER_POOLS caller {_UNUSABLE}"
    ),
    "cognito token of another pool": "tokens of "
    "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other name no user here",
    "iam user named as a user": _NOT_A_USER,
    "identity pool caller with a null auth type": (
        "unauthenticated identity pool callers have no user id"
    ),
    "identity pool caller with no pool id": _UNTRUSTED_POOL,
    "identity pool the platform does not trust": _UNTRUSTED_POOL,
    "lambda authoriser sub with a colon": (
        f"the handlerContext.sub of this AWS_LAMBDA caller {_UNUSABLE}"
    ),
    "lambda authoriser sub with a separator": (
        f"the handlerContext.sub of this AWS_LAMBDA caller {_UNUSABLE}"
    ),
    "lambda authoriser sub with a trailing newline": (
        f"the handlerContext.sub of this AWS_LAMBDA caller {_UNUSABLE}"
    ),
    "oidc sub that is a wildcard": f"the sub of this OPENID_CONNECT caller {_UNUSABLE}",
    "oidc sub too long once prefixed": f"the sub of this OPENID_CONNECT caller {_UNUSABLE}",
    "pool sub in the namespace of OIDC users": (
        f"the sub of this AMAZON_COGNITO_USER_POOLS {_RESERVED}"
    ),
    "pool sub in the namespace of authoriser users": (
        f"the sub of this AMAZON_COGNITO_USER_POOLS {_RESERVED}"
    ),
    "pool sub in the namespace of identity pool users": (
        f"the sub of this AMAZON_COGNITO_USER_POOLS {_RESERVED}"
    ),
    "role session named as a user": _NOT_A_USER,
    "service session of a role in another account": _NOT_A_USER,
    "service session with a trailing newline": _NOT_A_USER,
    "token of an issuer not configured": "tokens of https://evil.example.com name no user here",
    "unauthenticated identity pool guest": "unauthenticated identity pool callers have no user id",
}


@pytest.mark.parametrize("name", sorted(SPOOFS))
def test_identities_a_caller_can_shape_never_name_a_user(name: str) -> None:
    caller = caller_from_identity(SPOOFS[name], RULES)
    assert caller.user_id is None
    assert caller.service is None
    assert caller.why_no_user == WHY[name]


def test_identities_without_what_names_a_user_say_so() -> None:
    whys: dict[str, tuple[dict[str, Any] | None, str]] = {
        "lambda": (
            {"handlerContext": {"plan": "pro"}},
            "AWS_LAMBDA callers without handlerContext.sub have no user id",
        ),
        "sub": (
            {"sub": "", "issuer": COGNITO_ISSUER},
            "AMAZON_COGNITO_USER_POOLS callers without sub have no user id",
        ),
        "identity id": (
            with_("iam_cognito_identity", cognitoIdentityId=None),
            _NOT_A_USER,
        ),
        "no issuer": ({"sub": "x"}, "tokens of no issuer name no user here"),
        "unknown": ({"something": "else"}, "this identity names no user"),
        "api key": (None, "API_KEY callers have no user id"),
    }
    for identity, why in whys.values():
        assert caller_from_identity(identity, RULES).why_no_user == why


POOL_USER = "0f1e2d3c-4b5a-4697-8877-665544332211"


@pytest.mark.parametrize(
    ("name", "identity"),
    [
        ("oidc", with_("oidc", sub=POOL_USER)),
        ("lambda", {"handlerContext": {"sub": POOL_USER}}),
        (
            "iam_cognito_identity",
            with_("iam_cognito_identity", cognitoIdentityId=f"eu-west-1:{POOL_USER}"),
        ),
    ],
)
def test_no_other_source_can_name_a_user_of_the_platforms_pool(
    lambda_context: Any, name: str, identity: dict[str, Any]
) -> None:
    """An OIDC provider, a Lambda authoriser or an identity pool that hands out a pool user's
    sub names a user of its own, who may not read the pool user's channels."""
    caller = caller_from_identity(identity, RULES)
    assert caller.user_id is not None
    assert caller.user_id != POOL_USER
    assert caller.user_id.endswith(POOL_USER)
    for namespace in ("reports", "answers"):
        event = request("SUBSCRIBE", f"/{namespace}/{POOL_USER}")
        event["identity"] = identity
        response = channels.lambda_handler(event, lambda_context)
        assert response["error"] == (
            f"ChannelRefusedError - /{namespace}/{POOL_USER} is not your channel; "
            f"use /{namespace}/{caller.user_id}"
        )


def test_an_oidc_issuer_that_is_a_prefix_or_lookalike_of_a_trusted_one_names_no_user() -> None:
    for issuer in (OIDC_ISSUER + "evil", "https://login.example.com.evil/", COGNITO_ISSUER + "x"):
        assert caller_from_identity(with_("oidc", issuer=issuer), RULES).user_id is None
    # A trailing slash is not a different issuer.
    assert caller_from_identity(with_("cognito", issuer=COGNITO_ISSUER + "/"), RULES).user_id


def test_the_platforms_services_are_known_by_their_role_and_are_no_user() -> None:
    identity = with_(
        "iam_role", userArn="arn:aws:sts::123456789012:assumed-role/platform-report-delivery/fn"
    )
    caller = caller_from_identity(identity, RULES)
    assert (caller.user_id, caller.service, caller.label) == (
        None,
        "platform-report-delivery",
        "platform-report-delivery",
    )
    assert caller.why_no_user == "the platform's services publish reports, they act as no user"
    # Either of AppSync's IAM fields makes an IAM identity.
    only_arn = {"userArn": identity["userArn"]}
    assert caller_from_identity(only_arn, RULES).service == "platform-report-delivery"
    only_account = caller_from_identity({"accountId": "123456789012"}, RULES)
    assert (only_account.kind, only_account.why_no_user) == (AuthKind.IAM, _NOT_A_USER)


def test_kinds_and_sources_are_named_in_what_a_caller_is_told() -> None:
    assert caller_from_identity({"something": "else"}, RULES).kind is AuthKind.UNKNOWN
    lambda_caller = caller_from_identity({"handlerContext": {}}, RULES)
    assert lambda_caller.kind is AuthKind.LAMBDA
    odd_id = with_("iam_cognito_identity", cognitoIdentityId="eu-west-1:not_an_id")
    assert caller_from_identity(odd_id, RULES).why_no_user == (
        f"the identity id of this AWS_IAM caller {_UNUSABLE}"
    )


def test_configured_issuers_are_compared_without_a_trailing_slash() -> None:
    rules = IdentityRules.of(
        user_pool_issuer=COGNITO_ISSUER + "/", oidc_issuer=OIDC_ISSUER.rstrip("/") + "/"
    )
    assert caller_from_identity(IDENTITIES["cognito"], rules).user_id == USER_IDS["cognito"][1]
    assert caller_from_identity(IDENTITIES["oidc"], rules).user_id == USER_IDS["oidc"][1]
    slashed = with_("cognito", issuer=COGNITO_ISSUER + "/")
    assert caller_from_identity(slashed, RULES).user_id == USER_IDS["cognito"][1]


def test_service_roles_must_be_role_arns() -> None:
    with pytest.raises(ValueError, match="is not an IAM role ARN"):
        IdentityRules.of(service_role_arns=["arn:aws:iam::123456789012:user/alice"])
    with pytest.raises(ValueError, match="is not an IAM role ARN"):
        IdentityRules.of(service_role_arns=["arn:aws:iam::\u0661\u0662\u0663456789012:role/x"])
    with pytest.raises(ValueError, match="is not an IAM role ARN"):
        IdentityRules.of(service_role_arns=["arn:aws:iam::123456789012:role/x\n"])


@pytest.mark.parametrize("namespace", ["reports", "answers"])
@pytest.mark.parametrize("name", sorted(SPOOFS))
def test_a_spoofed_identity_may_not_subscribe_to_the_user_it_claims(
    lambda_context: Any, name: str, namespace: str
) -> None:
    event = request("SUBSCRIBE", f"/{namespace}/0f1e2d3c-4b5a-4697-8877-665544332211")
    event["identity"] = SPOOFS[name]
    response = channels.lambda_handler(event, lambda_context)
    assert response["error"].startswith(f"ChannelRefusedError - /{namespace} channels are private")


# --- publish: chat -------------------------------------------------------------------------


def test_mixed_chat_batch_answers_every_item_in_order(
    lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    payloads = [
        {"text": "hi, mail me at jane.doe@example.com", "clientMessageId": "m-1"},
        {"text": ""},
        "just a string",
        ["a", "list"],
        42,
        None,
        {"text": "call +44 20 7946 0018"},
        {"text": "hello", "colour": "red"},
        {"message": "wrong field"},
    ]

    items = publish("/chat/lobby", payloads, "cognito", lambda_context)

    assert [item["id"] for item in items] == [f"item-{n}" for n in range(len(payloads))]
    first = items[0]["payload"]
    assert first["text"] == "hi, mail me at j***@example.com"
    assert first["room"] == "lobby"
    assert first["sender"] == USER_IDS["cognito"][1]
    assert first["clientMessageId"] == "m-1"
    assert first["sentAt"].endswith("Z") or first["sentAt"].endswith("+00:00")
    assert items[6]["payload"]["text"] == "call ***18"
    errors = {item["id"]: str(item.get("error")) for item in items}
    assert "text: String should have at least 1 character" in errors["item-1"]
    assert errors["item-2"].endswith("payload must be a JSON object, got string")
    assert errors["item-3"].endswith("payload must be a JSON object, got array")
    assert errors["item-4"].endswith("payload must be a JSON object, got number")
    assert errors["item-5"].endswith("payload must be a JSON object, got null")
    assert "colour: Extra inputs are not permitted" in errors["item-7"]
    assert "text: Field required" in errors["item-8"]
    assert "message: Extra inputs are not permitted" in errors["item-8"]
    for n in (0, 6):
        assert "error" not in items[n]
    for n in (1, 2, 3, 4, 5, 7, 8):
        assert "payload" not in items[n]
        assert items[n]["error"].startswith("InvalidPayloadError - ")

    out = capsys.readouterr().out
    assert metric_values(out) == {"ItemsPublished": 2, "ItemsRejected": 7}
    blob = next(b for b in emitted(out) if "_aws" in b)
    assert blob["ChannelNamespace"] == "chat"


def test_chat_from_an_api_key_caller_is_sent_as_anonymous(lambda_context: Any) -> None:
    items = publish("/chat/lobby/games", [{"text": "hi"}], "api_key", lambda_context)
    assert items[0]["payload"]["sender"] == "anonymous"
    assert items[0]["payload"]["room"] == "lobby/games"


def test_logs_carry_the_request_trace_id_as_correlation_id(
    lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    publish("/chat/lobby", [{"text": 5}, {"text": "fine"}, {}], "oidc", lambda_context)
    logs = log_records(capsys.readouterr().out)
    (rejected,) = [r for r in logs if r["message"] == "publish items rejected"]
    assert rejected["correlation_id"] == "Root=1-6740a1b2-3c4d5e6f7a8b9c0d1e2f3a4b"
    assert rejected["channel"] == "/chat/lobby"
    assert rejected["auth"] == "OPENID_CONNECT"
    assert [item["id"] for item in rejected["rejected"]] == ["item-0", "item-2"]
    assert "text: Input should be a valid string" in rejected["rejected"][0]["reason"]
    assert "text: Field required" in rejected["rejected"][1]["reason"]


# --- publish: answers ----------------------------------------------------------------------


def test_answers_are_validated_and_stored_for_their_owner(
    answers_table: Any, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    user = USER_IDS["cognito"][1]
    payloads = [
        {"questionnaireId": "q-2026", "questionId": "pets", "value": ["cat", "dog"]},
        {"questionnaireId": "q-2026", "questionId": "age", "value": "forty"},
        {"questionnaireId": "q-2026", "questionId": "score", "value": 7.5},
        {"questionnaireId": "q-2026", "value": True},
        {"questionnaireId": "q 2026", "questionId": "x", "value": {"nested": 1}},
    ]

    items = publish(f"/answers/{user}", payloads, "cognito", lambda_context)

    assert [item["id"] for item in items] == [f"item-{n}" for n in range(5)]
    assert items[0]["payload"]["userId"] == user
    assert items[0]["payload"]["value"] == ["cat", "dog"]
    assert "questionId: Field required" in items[3]["error"]
    assert "questionnaireId: String should match pattern" in items[4]["error"]
    assert "value" in items[4]["error"]
    stored = answers_table.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"USER#{user}"}
    )["Items"]
    assert sorted(i["sk"] for i in stored) == [
        "ANSWER#q-2026#age",
        "ANSWER#q-2026#pets",
        "ANSWER#q-2026#score",
    ]
    score = next(i for i in stored if i["questionId"] == "score")
    assert str(score["value"]) == "7.5"
    assert score["userId"] == user
    assert metric_values(capsys.readouterr().out) == {"ItemsPublished": 3, "ItemsRejected": 2}


@pytest.mark.parametrize(
    ("identity", "path", "reason"),
    [
        ("api_key", "/answers/someone", "/answers channels are private"),
        ("cognito", "/answers/someone-else", "/answers/someone-else is not your channel"),
        (
            "lambda",
            "/answers/lambda-tenant1-user7/x",
            "is not your channel; use /answers/lambda-tenant1-user7",
        ),
        ("iam_user", "/answers/alice", "IAM callers other than signed-in identity pool users"),
        ("iam_role", "/answers/user-42", "a role session name is not one"),
    ],
)
def test_answers_to_a_channel_not_owned_by_the_caller_fail_and_are_not_stored(
    answers_table: Any, lambda_context: Any, identity: str, path: str, reason: str
) -> None:
    answer = {"questionnaireId": "q", "questionId": "a", "value": 1}
    items = publish(path, [answer, answer], identity, lambda_context)
    assert len(items) == 2
    for item in items:
        assert item["error"].startswith("ChannelRefusedError - ")
        assert reason in item["error"]
    assert answers_table.scan()["Count"] == 0
    assert (
        channels.get_store.cache_info().currsize == 0
    )  # refused before a DynamoDB client was even made


def test_an_answer_that_cannot_be_stored_fails_alone_with_a_retryable_error(
    answers_table: Any, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    answers_table.delete()
    items = publish(
        "/answers/lambda-tenant1-user7",
        [{"questionnaireId": "q", "questionId": "a", "value": 1}],
        "lambda",
        lambda_context,
    )
    assert items[0]["error"] == ("StorageError - the answer could not be stored; publish it again")
    assert metric_values(capsys.readouterr().out) == {"ItemsRejected": 1}


def test_an_unexpected_failure_answers_a_safe_error_and_logs_the_details(
    lambda_context: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: Any, **__: Any) -> str:
        raise KeyError("secret-internal-detail")

    monkeypatch.setattr("handlers.channels.logic.mask_pii", broken)
    items = publish("/chat/lobby", [{"text": "hi"}], "cognito", lambda_context)
    assert items[0]["error"] == (
        "InternalError - the item could not be processed; publish it again"
    )
    logs = log_records(capsys.readouterr().out)
    failure = next(r for r in logs if r["message"] == "publish item failed")
    assert "secret-internal-detail" in failure["exception"]


# --- publish: reports and unknown channels -------------------------------------------------


@pytest.mark.parametrize("identity", ["cognito", "iam_user", "iam_role", "api_key"])
def test_clients_cannot_publish_reports(lambda_context: Any, identity: str) -> None:
    user = USER_IDS["cognito"][1]
    items = publish(f"/reports/{user}", [{"score": 1}], identity, lambda_context)
    assert items == [
        {
            "id": "item-0",
            "error": "ChannelRefusedError - /reports channels are published by the platform only",
        }
    ]


def test_the_report_service_publishes_to_a_users_report_channel(lambda_context: Any) -> None:
    event = request("PUBLISH", "/reports/lambda-tenant1-user7", "iam_role", [{"score": 1}, "text"])
    event["identity"]["userArn"] = (
        "arn:aws:sts::123456789012:assumed-role/platform-report-delivery/fn"
    )
    items = channels.lambda_handler(event, lambda_context)["events"]
    assert items[0] == {"id": "item-0", "payload": {"score": 1}}
    assert items[1]["error"].endswith("payload must be a JSON object, got string")
    event["info"]["channel"] = {"path": "/reports/a/b", "segments": ["reports", "a", "b"]}
    items = channels.lambda_handler(event, lambda_context)["events"]
    assert items[0]["error"] == "ChannelRefusedError - /reports/a/b is not a user's report channel"


# --- presence: /presence/<channel> ---------------------------------------------------------

ENTER = {
    "action": "enter",
    "channel": "/chat/room-1",
    "member": {"id": "u-1", "data": {"name": "Ann"}},
    "at": 1_800_000_000,
    "clientMessageId": "u-1.3.enter",
}


@pytest.mark.parametrize("identity", ["cognito", "iam_user", "iam_role", "api_key"])
def test_clients_cannot_publish_presence(lambda_context: Any, identity: str) -> None:
    items = publish("/presence/chat/room-1", [ENTER], identity, lambda_context)
    assert items[0]["error"] == (
        "ChannelRefusedError - /presence channels are published by the platform only: enter, "
        "update and leave through the presence API"
    )


def test_the_presence_service_announces_on_a_presence_channel(lambda_context: Any) -> None:
    wrong = {**ENTER, "channel": "/chat/room-2"}
    odd = {**ENTER, "action": "dance"}
    event = request("PUBLISH", "/presence/chat/room-1", "iam_role", [ENTER, wrong, odd])
    event["identity"]["userArn"] = (
        "arn:aws:sts::123456789012:assumed-role/platform-report-delivery/fn"
    )
    items = channels.lambda_handler(event, lambda_context)["events"]
    assert items[0] == {"id": "item-0", "payload": ENTER}
    assert items[1]["error"] == (
        "InvalidPayloadError - channel must be /chat/room-1, the channel this one announces for"
    )
    assert items[2]["error"] == "InvalidPayloadError - action must be enter, update or leave"


@pytest.mark.parametrize("identity", sorted(USER_IDS))
def test_presence_is_watched_as_the_channel_is(lambda_context: Any, identity: str) -> None:
    own = USER_IDS[identity][1]
    assert subscribe("/presence/chat/room-1", identity, lambda_context) is None
    assert subscribe(f"/presence/answers/{own}", identity, lambda_context) is None
    refused = subscribe("/presence/answers/somebody-else", identity, lambda_context)
    assert refused == {
        "error": (
            f"ChannelRefusedError - /answers/somebody-else is not your channel; use /answers/{own}"
        )
    }


def test_publish_to_an_unknown_namespace_is_refused_not_passed_through(
    lambda_context: Any,
) -> None:
    items = publish("/default/x", [{"a": 1}, {"b": 2}], "cognito", lambda_context)
    assert [item["id"] for item in items] == ["item-0", "item-1"]
    for item in items:
        assert item == {
            "id": item["id"],
            "error": "UnknownChannelError - no channel /default/x here",
        }


# --- subscribe -----------------------------------------------------------------------------


@pytest.mark.parametrize("namespace", ["reports", "answers"])
@pytest.mark.parametrize("identity", sorted(USER_IDS))
def test_each_auth_mode_may_subscribe_to_its_own_private_channel(
    lambda_context: Any, identity: str, namespace: str, capsys: pytest.CaptureFixture[str]
) -> None:
    user = USER_IDS[identity][1]
    assert subscribe(f"/{namespace}/{user}", identity, lambda_context) is None
    assert metric_values(capsys.readouterr().out) == {"SubscriptionsAllowed": 1}


@pytest.mark.parametrize("identity", sorted(USER_IDS))
def test_no_auth_mode_may_subscribe_to_another_users_reports(
    lambda_context: Any, identity: str, capsys: pytest.CaptureFixture[str]
) -> None:
    response = subscribe("/reports/somebody-else", identity, lambda_context)
    own = USER_IDS[identity][1]
    assert response == {
        "error": (
            f"ChannelRefusedError - /reports/somebody-else is not your channel; use /reports/{own}"
        )
    }
    assert metric_values(capsys.readouterr().out) == {"SubscriptionsRefused": 1}


@pytest.mark.parametrize(
    "path", ["/reports/*", "/reports/lambda-tenant1-user7/*", "/reports/lambda-tenant1-user7/x"]
)
def test_wildcard_and_deeper_report_paths_are_refused(lambda_context: Any, path: str) -> None:
    response = subscribe(path, "lambda", lambda_context)
    assert response == {
        "error": f"ChannelRefusedError - {path} is not your channel; "
        "use /reports/lambda-tenant1-user7"
    }


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("reports/lambda-tenant1-user7", "a channel path starts with /"),
        ("/reports//lambda-tenant1-user7", "segment '' is not"),
        ("/reports/*/lambda-tenant1-user7", "a wildcard only ends a subscription"),
        ("/*", "segment '*' is not"),
        ("/reports/lambda-tenant1-user7/", "segment '' is not"),
        ("/reports/a/b/c/d/e", "a channel has 1-5 segments"),
        ("/reports/tenant1_user7", "segment 'tenant1_user7' is not"),
        ("/reports/lambda-tenant1-user7\n", "segment 'lambda-tenant1-user7\\n' is not"),
        ("/chat/lambda-tenant1-user7", "it is not in namespace reports"),
    ],
)
def test_paths_that_match_no_route_are_refused_before_routing(
    lambda_context: Any, path: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    event = request("SUBSCRIBE", "/reports/lambda-tenant1-user7", "lambda")
    event["info"]["channel"] = {"path": path, "segments": path.strip("/").split("/")}
    response = channels.lambda_handler(event, lambda_context)
    assert response["error"].startswith("UnknownChannelError - no channel ")
    assert reason in response["error"]
    assert metric_values(capsys.readouterr().out) == {"SubscriptionsRefused": 1}


def test_a_publish_to_a_refused_path_fails_every_item(lambda_context: Any) -> None:
    event = request("PUBLISH", "/answers/lambda-tenant1-user7", "lambda", [{"a": 1}, {"b": 2}])
    event["info"]["channel"]["path"] = "/answers/*"
    items = channels.lambda_handler(event, lambda_context)["events"]
    assert [i["id"] for i in items] == ["item-0", "item-1"]
    assert all("a wildcard only ends a subscription" in i["error"] for i in items)


def test_api_key_callers_are_refused_on_private_channels(lambda_context: Any) -> None:
    response = subscribe("/reports/anyone", "api_key", lambda_context)
    assert response is not None
    assert response["error"].startswith("ChannelRefusedError - /reports channels are private")
    assert "API_KEY callers have no user id" in response["error"]


@pytest.mark.parametrize("identity", ["api_key", "cognito", "iam_role", "iam_user"])
def test_chat_rooms_are_open_to_every_caller(lambda_context: Any, identity: str) -> None:
    assert subscribe("/chat/lobby", identity, lambda_context) is None


def test_subscribe_to_an_unknown_namespace_is_refused(
    lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    response = subscribe("/default/anything", "cognito", lambda_context)
    assert response == {"error": "UnknownChannelError - no channel /default/anything here"}
    assert metric_values(capsys.readouterr().out) == {"SubscriptionsRefused": 1}


# --- durable channels ------------------------------------------------------------------------

HISTORY = "history-test"


@pytest.fixture
def history_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("HISTORY_TABLE_NAME", HISTORY)
    monkeypatch.setenv("HISTORY_NAMESPACES", '{"chat": 7, "reports": 3}')
    get_settings.cache_clear()
    channels.get_history.cache_clear()
    with mock_aws():
        yield create_history_table(HISTORY)
    channels.get_history.cache_clear()


def kept(table: Any, channel: str) -> list[dict[str, Any]]:
    items = table.query(
        KeyConditionExpression="pk = :pk AND sk > :zero",
        ExpressionAttributeValues={":pk": channel, ":zero": 0},
    )["Items"]
    return [json.loads(item["payload"]) for item in items]


def test_durable_chat_numbers_keeps_and_delivers_with_seq_and_id(
    lambda_context: Any, history_table: Any
) -> None:
    items = publish(
        "/chat/lobby",
        [{"text": "one"}, {"text": ""}, {"text": "two", "clientMessageId": "c-2"}],
        "cognito",
        lambda_context,
    )
    first, refused, second = items
    assert (first["payload"]["seq"], first["payload"]["id"]) == (1, "item-0")
    assert "error" in refused
    assert (second["payload"]["seq"], second["payload"]["clientMessageId"]) == (2, "c-2")
    # what subscribers receive is exactly what history keeps; the refused item is not kept
    assert kept(history_table, "/chat/lobby") == [first["payload"], second["payload"]]


def test_a_repeated_client_message_id_is_not_delivered_again(
    lambda_context: Any, history_table: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    publish("/chat/lobby", [{"text": "hi", "clientMessageId": "c-1"}], "cognito", lambda_context)
    capsys.readouterr()
    [again] = publish(
        "/chat/lobby", [{"text": "hi", "clientMessageId": "c-1"}], "cognito", lambda_context
    )
    assert again == {
        "id": "item-0",
        "error": "AlreadyPublishedError - message id c-1 was published as seq 1 (event id item-0)",
    }
    assert len(kept(history_table, "/chat/lobby")) == 1
    assert metric_values(capsys.readouterr().out).get("ItemsRepeated") == 1


def test_history_failures_fail_the_items_with_a_retryable_error(
    lambda_context: Any,
    history_table: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HISTORY_TABLE_NAME", "no-such-table")
    get_settings.cache_clear()
    channels.get_history.cache_clear()
    [item] = publish("/chat/lobby", [{"text": "hi"}], "cognito", lambda_context)
    assert item["error"].startswith("StorageError - the events could not be kept")
    assert "publish them again" in item["error"]
    assert metric_values(capsys.readouterr().out).get("ItemsNotKept") == 1


def test_namespaces_without_history_deliver_without_seq(
    lambda_context: Any, history_table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HISTORY_NAMESPACES", '{"reports": 3}')
    get_settings.cache_clear()
    [item] = publish("/chat/lobby", [{"text": "hi"}], "cognito", lambda_context)
    assert "seq" not in item["payload"]
    assert kept(history_table, "/chat/lobby") == []


@pytest.mark.parametrize(
    "value", ['{"chat": 0}', '{"chat": "7"}', "[7]", "chat=7", '{"chat": 366}']
)
def test_history_settings_refuse_what_is_not_days_per_namespace(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HISTORY_NAMESPACES", value)
    get_settings.cache_clear()
    with pytest.raises(Exception, match="HISTORY_NAMESPACES"):
        get_settings()
