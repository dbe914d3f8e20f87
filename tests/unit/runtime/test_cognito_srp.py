"""Cognito's SRP sign-in on the local AWS checks the password, as Cognito does. The client is
pycognito's ``AWSSRP`` (written apart from ``local_runtime.cognito.srp``): the right password
signs in, a wrong one is refused with Cognito's error, and a proof answers one challenge for
one user only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from local_runtime.aws.server import LocalAws
from local_runtime.faults import Faults
from tests.unit.runtime.shapes import error_problems, operation, problems
from tests.unit.runtime.test_shapes import Local, Wire

KEY, SECRET = "AKIAOPERATOR00000000", "operator-secret"
PASSWORD = "Correct-horse-9"


@dataclass
class Pool:
    local: Local
    cognito: Any
    pool_id: str
    client_id: str

    def srp(self, username: str, password: str) -> AWSSRP:
        return AWSSRP(username, password, self.pool_id, self.client_id, client=self.cognito)


@pytest.fixture(scope="module")
def pool() -> Iterator[Pool]:
    aws = LocalAws(0, {KEY: SECRET}, Faults(), operator_keys=frozenset({KEY}))
    aws.start()
    local = Local(aws, Faults(), Wire())
    cognito = local.client("cognito-idp")
    pool_id = cognito.create_user_pool(PoolName="people")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    for user in ("ada", "bob"):
        cognito.admin_create_user(UserPoolId=pool_id, Username=user)
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=user, Password=PASSWORD, Permanent=True
        )
    yield Pool(local, cognito, pool_id, client_id)
    aws.stop()


def _raw(pool: Pool) -> dict[str, Any]:
    return dict(json.loads(pool.local.wire.body))


def _refusal(pool: Pool, error: ClientError) -> str:
    code = error.response["Error"]["Code"]
    assert error_problems(operation("cognito-idp", "RespondToAuthChallenge"), 400, code) == []
    assert pool.local.wire.status == 400
    return f"{code}: {error.response['Error']['Message']}"


def test_the_right_password_signs_in(pool: Pool) -> None:
    tokens = pool.srp("ada", PASSWORD).authenticate_user()
    assert (
        problems(_raw(pool), operation("cognito-idp", "RespondToAuthChallenge").output_shape) == []
    )
    claims = pool.cognito.get_user(AccessToken=tokens["AuthenticationResult"]["AccessToken"])
    assert claims["Username"] == "ada"


def test_a_wrong_password_is_refused_as_cognito_refuses_it(pool: Pool) -> None:
    with pytest.raises(ClientError) as refused:
        pool.srp("ada", PASSWORD + "x").authenticate_user()
    assert (
        _refusal(pool, refused.value) == "NotAuthorizedException: Incorrect username or password."
    )


def test_the_challenge_is_made_from_the_password(pool: Pool) -> None:
    """SALT and SRP_B are the server's SRP values (hex numbers), SECRET_BLOCK is base64."""
    srp = pool.srp("ada", PASSWORD)
    answer = pool.cognito.initiate_auth(
        AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params(), ClientId=pool.client_id
    )
    parameters = answer["ChallengeParameters"]
    assert problems(_raw(pool), operation("cognito-idp", "InitiateAuth").output_shape) == []
    assert int(parameters["SRP_B"], 16) > 2**1024
    assert len(parameters["SALT"]) == 32
    assert int(parameters["SALT"], 16) >= 0
    assert parameters["SECRET_BLOCK"] != answer["Session"]


def test_a_proof_answers_its_challenge_once(pool: Pool) -> None:
    srp = pool.srp("ada", PASSWORD)
    params = srp.get_auth_params()
    challenge = pool.cognito.initiate_auth(
        AuthFlow="USER_SRP_AUTH", AuthParameters=params, ClientId=pool.client_id
    )
    responses = srp.process_challenge(challenge["ChallengeParameters"], params)
    for attempt in range(2):
        call = {
            "ClientId": pool.client_id,
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeResponses": responses,
        }
        if attempt == 0:
            assert "AuthenticationResult" in pool.cognito.respond_to_auth_challenge(**call)
            continue
        with pytest.raises(ClientError) as refused:
            pool.cognito.respond_to_auth_challenge(**call)
        assert _refusal(pool, refused.value).startswith("NotAuthorizedException")


def test_a_proof_for_one_user_does_not_sign_in_another(pool: Pool) -> None:
    srp = pool.srp("ada", PASSWORD)
    params = srp.get_auth_params()
    challenge = pool.cognito.initiate_auth(
        AuthFlow="USER_SRP_AUTH", AuthParameters=params, ClientId=pool.client_id
    )
    responses = srp.process_challenge(challenge["ChallengeParameters"], params)
    with pytest.raises(ClientError) as refused:
        pool.cognito.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses={**responses, "USERNAME": "bob"},
        )
    assert _refusal(pool, refused.value).startswith("NotAuthorizedException")


def test_other_cognito_calls_reach_moto_unchanged(pool: Pool) -> None:
    """USER_PASSWORD_AUTH is moto's own (it checks the password itself)."""
    signed_in = pool.cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD},
        ClientId=pool.client_id,
    )
    assert "AccessToken" in signed_in["AuthenticationResult"]
    with pytest.raises(ClientError) as refused:
        pool.cognito.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "bob", "PASSWORD": "nope"},
            ClientId=pool.client_id,
        )
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
