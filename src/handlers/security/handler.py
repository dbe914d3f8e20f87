"""Lambda entry point of the security service: ``AnswerSubmitted`` -> ``ReportReady``.

Each answer is recorded in the service's own table, the user's questionnaire is evaluated
(``rules.py``), and the report goes on the bus. The whole step is idempotent (Powertools
idempotency, keyed on the answer's user, questionnaire, question and time, in a DynamoDB table
of this function's own): a redelivered answer returns the first result and puts no second
report on the bus. What can never succeed (an invalid event, an answer to a questionnaire this
service does not know, a report EventBridge will never take) goes to the poison queue with its
reason; a store or bus outage raises, so Lambda's asynchronous invocation retries the event and
then sends it to the function's failure queue.

boto3, the idempotency layer and the clients are built by the first valid event (see
``handlers/__init__.py``).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.common import cold_start
from handlers.common.events import accept_event
from handlers.common.poison import poison_permanent
from handlers.contracts import ANSWER_SUBMITTED, REPORT_READY, AnswerSubmitted, ReportReady
from handlers.security.logic import UnknownQuestionnaireError, assess_and_send, summary
from handlers.security.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

    from handlers.common.idempotency import Once

logger = Logger()
metrics = Metrics()

# The idempotency key: what makes two events the same answer (field names as model_dump).
IDEMPOTENCY_KEY = "[user_id, questionnaire_id, question_id, submitted_at]"


def _redelivered(response: Any, idempotent_data: DataRecord) -> Any:
    """Called by Powertools when an answer's result comes from the idempotency table."""
    logger.info("answer seen before; its report was sent then", extra={"result": response})
    metrics.add_metric(name="DuplicateAnswers", unit=MetricUnit.Count, value=1)
    return response


@cache
def runtime() -> Once:
    """The idempotent step with its clients, built once per execution environment."""
    from handlers.common import clients  # noqa: PLC0415 - first valid event
    from handlers.common.bus import put_event  # noqa: PLC0415
    from handlers.common.idempotency import once  # noqa: PLC0415
    from handlers.security.dal import DynamoDBAssessmentStore  # noqa: PLC0415

    settings = get_settings()
    store = DynamoDBAssessmentStore(settings.assessments_table_name, clients.dynamodb())

    def send(report: ReportReady) -> None:
        put_event(clients.events(), REPORT_READY.entry(report, settings.event_bus_name))

    def assess_once(answer: AnswerSubmitted) -> dict[str, Any]:
        report = assess_and_send(answer, store, send)
        logger.info("report sent", extra=summary(report))
        metrics.add_metric(name="ReportsSent", unit=MetricUnit.Count, value=1)
        return summary(report)

    return once(
        assess_once,
        argument="answer",
        key=IDEMPOTENCY_KEY,
        table_name=settings.idempotency_table_name,
        ttl_seconds=settings.idempotency_ttl_seconds,
        on_repeat=_redelivered,
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@metrics.log_metrics
@poison_permanent(logger=logger, metrics=metrics, queue_url=lambda: get_settings().poison_queue_url)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    parsed = accept_event(
        event,
        ANSWER_SUBMITTED,
        logger=logger,
        metrics=metrics,
        rejected="answer event",
        metric="InvalidAnswers",
    )
    answer = parsed.detail
    logger.append_keys(
        user_id=answer.user_id,
        questionnaire_id=answer.questionnaire_id,
        question_id=answer.question_id,
    )
    steps = runtime()
    steps.config.register_lambda_context(context)
    try:
        return steps.run(answer=answer)
    except UnknownQuestionnaireError:
        metrics.add_metric(name="UnknownQuestionnaires", unit=MetricUnit.Count, value=1)
        raise  # permanent: to the poison queue
    except Exception:
        # The store or the bus failed: raise, so that the event is retried, then parked in
        # the failure queue (or, when it can never be put, poisoned).
        logger.exception("answer not assessed")
        metrics.add_metric(name="AnswersNotAssessed", unit=MetricUnit.Count, value=1)
        raise


cold_start.imported()  # last: the module is imported (handlers.common.cold_start)
