"""The functions' identities from the plan, and what Lambda checks of a role when it is
configured.

Each function acts as a session of its role (``arn:aws:sts::<account>:assumed-role/<role>/
<function>``, the session name Lambda gives) with the role's planned policies. Lambda also
checks the role when a function is set up, and AWS refuses the setup (so ``terraform apply``
fails) when it cannot act; the runtime refuses to start with the same message:

- an event source mapping on a DynamoDB stream: "Cannot access stream <arn>. Please ensure
  the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams
  Actions on your stream in IAM." (``InvalidParameterValueException`` of
  ``CreateEventSourceMapping``, quoted in aws-samples/lambda-refarch-webapp#7);
- an SQS queue to send failed events or records to: "The provided execution role does not
  have permissions to call SendMessage on SQS" (``InvalidParameterValueException``, quoted in
  aws-samples/aws-serverless-ecommerce-platform#41).
"""

from __future__ import annotations

from local_runtime.iam.identities import Identity
from local_runtime.iam.policy import Authorization, Policies, PolicyError
from local_runtime.iam.requests import Where
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.iam import RolePolicies
from local_runtime.plan.models import PlatformSpec

_STREAM_ACTIONS = ("GetRecords", "GetShardIterator", "DescribeStream", "ListStreams")


def function_identities(spec: PlatformSpec, roles: dict[str, RolePolicies]) -> dict[str, Identity]:
    """Function name -> its identity; a start error when a role's policies are not all known
    or not all evaluable."""
    where = Where(spec.region, spec.account_id)
    found: dict[str, Identity] = {}
    for name, function in spec.functions.items():
        role_name = function.role.rsplit("/", 1)[-1]
        role = roles.get(role_name, RolePolicies())
        if role.unknown:
            raise role.unknown[0]
        try:
            policies = Policies(role.documents)
        except PolicyError as error:
            raise UnsupportedError(
                f"{function.address}: the policies of its role {role_name} cannot be evaluated "
                f"locally: {error}"
            ) from None
        principal = f"arn:aws:sts::{spec.account_id}:assumed-role/{role_name}/{name}"
        found[name] = Identity(principal, function.role, policies, where)
    return found


def check_setup(spec: PlatformSpec, identities: dict[str, Identity]) -> None:
    """Refuse to start where Lambda would refuse the setup (see the module's docstring)."""
    where = Where(spec.region, spec.account_id)
    for mapping in spec.mappings:
        identity = identities[mapping.function]
        stream = where.arn("dynamodb", f"table/{mapping.table}/stream/local")
        asked = [Authorization(f"dynamodb:{a}", stream) for a in _STREAM_ACTIONS]
        if identity.check(asked) is not None:
            raise UnsupportedError(
                f"{mapping.address}: Cannot access stream {stream}. Please ensure the role can "
                "perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams "
                "Actions on your stream in IAM. (AWS refuses this mapping: the role of "
                f"{mapping.function} does not allow it)"
            )
        _can_send(identity, mapping.on_failure_queue, mapping.address, where)
    for name, function in spec.functions.items():
        _can_send(identities[name], function.async_config.on_failure_queue, function.address, where)


def _can_send(identity: Identity, queue: str | None, address: str, where: Where) -> None:
    if queue is None:
        return
    arn = where.arn("sqs", queue)
    if identity.check([Authorization("sqs:SendMessage", arn)]) is not None:
        raise UnsupportedError(
            f"{address}: The provided execution role does not have permissions to call "
            f"SendMessage on SQS (AWS refuses it: the role does not allow sqs:SendMessage on "
            f"{arn})"
        )
