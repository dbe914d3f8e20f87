"""Who signs a request, and what their policies allow: one ``Identity`` per function's key
(its role session and its role's policies). The operator's key has none: it acts as the
account's administrator, as the user who runs ``terraform apply`` does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from local_runtime.iam.policy import Authorization, Decision, Policies
from local_runtime.iam.requests import Where


@dataclass(frozen=True)
class Denial:
    """A request IAM refuses, with AWS's message ("Troubleshoot access denied error messages",
    IAM User Guide: "User: <principal> is not authorized to perform: <action> on resource:
    <resource> because no identity-based policy allows the <action> action", or "with an
    explicit deny in an identity-based policy")."""

    principal: str
    request: Authorization
    decision: Decision
    lower_case_action: bool = False  # SQS writes the action in lower case ("sqs:sendmessage")

    @property
    def message(self) -> str:
        action = self.request.action.lower() if self.lower_case_action else self.request.action
        on = (
            f" on resource: {self.request.resource}"
            if self.request.resource not in (None, "*")
            else ""
        )
        why = (
            "with an explicit deny in an identity-based policy"
            if self.decision.denial == "explicit"
            else f"because no identity-based policy allows the {action} action"
        )
        return f"User: {self.principal} is not authorized to perform: {action}{on} {why}"


@dataclass(frozen=True)
class Identity:
    principal: str  # arn:aws:sts::<account>:assumed-role/<role>/<session>
    role_arn: str
    policies: Policies
    where: Where

    def context(self) -> dict[str, list[str]]:
        """The global context keys of its every request (IAM User Guide, "AWS global
        condition context keys"): HTTPS as in AWS, not the local transport."""
        return {
            "aws:principalarn": [self.role_arn],
            "aws:principalaccount": [self.where.account],
            "aws:principaltype": ["AssumedRole"],
            "aws:requestedregion": [self.where.region],
            "aws:securetransport": ["true"],
            "aws:viaawsservice": ["false"],
        }

    def check(self, requests: Sequence[Authorization]) -> Denial | None:
        """The first of ``requests`` its policies deny, or None when all are allowed."""
        base = self.context()
        for request in requests:
            full = Authorization(request.action, request.resource, {**base, **request.context})
            decision = self.policies.decide(full)
            if not decision.allowed:
                return Denial(self.principal, request, decision, request.action.startswith("sqs:"))
        return None
