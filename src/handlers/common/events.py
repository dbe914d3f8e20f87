"""Parsing EventBridge events against the platform's contracts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import ValidationError

from handlers.common.errors import describe_validation_error
from handlers.common.failures import PermanentError
from handlers.contracts import DetailT, EventContract


class InvalidEventError(PermanentError, ValueError):
    """The event does not match its contract (permanent: it never will). ``problems`` names
    each offending field."""

    def __init__(self, contract: EventContract[Any], problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"invalid {contract.detail_type} event: " + "; ".join(problems))


class _Envelope(EventBridgeModel):
    """The envelope with the detail left raw, so that a non-object detail gets our message."""

    detail: Any


@dataclass(frozen=True)
class ParsedEvent(Generic[DetailT]):
    """An EventBridge event whose detail matched its contract."""

    event_id: str
    time: datetime
    source: str
    detail_type: str
    detail: DetailT


def parse_event(event: Any, contract: EventContract[DetailT]) -> ParsedEvent[DetailT]:
    """Validate the envelope, check source and detail-type, then validate the detail."""
    try:
        envelope = parse(event=event, model=_Envelope)
    except ValidationError as exc:
        raise InvalidEventError(contract, describe_validation_error(exc)) from exc
    problems = []
    if envelope.source != contract.source:
        problems.append(f"source: expected {contract.source!r}, got {envelope.source!r}")
    if envelope.detail_type != contract.detail_type:
        problems.append(
            f"detail-type: expected {contract.detail_type!r}, got {envelope.detail_type!r}"
        )
    if problems:
        raise InvalidEventError(contract, problems)
    if not isinstance(envelope.detail, dict):
        raise InvalidEventError(
            contract, [f"detail: expected a JSON object, got {type(envelope.detail).__name__}"]
        )
    model_input, problems = contract.model_input(envelope.detail, envelope.resources)
    try:
        detail = contract.detail_model.model_validate(model_input)
    except ValidationError as exc:
        found = [contract.problem_of(p) for p in describe_validation_error(exc, "detail")]
        # A caller already found missing is not named twice.
        problems += [p for p in found if not (problems and p.startswith("resources[0]"))]
    if problems:
        raise InvalidEventError(contract, problems)
    return ParsedEvent(
        event_id=envelope.id,
        time=envelope.time,
        source=envelope.source,
        detail_type=envelope.detail_type,
        detail=detail,
    )


def accept_event(
    event: Any,
    contract: EventContract[DetailT],
    *,
    logger: Logger,
    metrics: Metrics,
    rejected: str,
    metric: str,
) -> ParsedEvent[DetailT]:
    """``event`` parsed as ``contract``, or rejected: logged (``rejected <rejected>`` with each
    problem), counted as ``metric``, and raised as InvalidEventError, a permanent failure
    that the consumer sends to the poison queue (``handlers.common.poison``)."""
    try:
        return parse_event(event, contract)
    except InvalidEventError as exc:
        logger.error(f"rejected {rejected}", extra={"problems": exc.problems})
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
        raise
