"""Nothing lost, nothing twice: the platform under injected faults, then lifted and redriven.

A platform of its own (the counts must be exact) takes 2,000 orders and 500 answers, with
poisoned ones among them, while the local runtime's fault switch throttles the functions'
DynamoDB requests, fails PutEvents entries, takes the webhook down and answers Event API
publishes with 5xx (``local_runtime/faults.py``), and faults strike after side effects: a
worker killed or timed out after its handler did its work, events EventBridge delivers twice,
stream batches handed over again after they succeeded. Clients behave as AWS tells them to: an
upload answered 429, or with a retryable failed entry, is sent again; a publish answered 5xx,
or with a failed item, is published again. Then the faults are lifted, every queue but the
poison queue is redriven with ``platform-ops``, and the outcome is counted from what users
and operators see: the orders table, the webhook's messages, the bus archive, the reports
table, each user's live report channel and the poison queue.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local_runtime.aws.server import LocalAws
from local_runtime.cli import parser
from local_runtime.cognito.pools import create_local_user
from local_runtime.faults import Faults, parse_rates
from platform_ops.cli import main as ops_main
from tests.local.appsync import Events, Socket
from tests.local.platform import ROOT, LocalPlatform, wait_for
from tests.local.test_flows import answer_item, order

pytestmark = pytest.mark.local

ORDERS = 2000
POISON_ORDERS = 20
USERS = 10
ANSWERS_PER_USER = 50  # 500 answers, 5 to a publish (the Event API's limit)
POISON_ANSWERS = 5
RATES = {"dynamodb_throttle": 0.2, "put_events": 0.2, "webhook": 0.5, "event_api_5xx": 0.3}
SEED = 20261124
_FN = "arn:aws:lambda:eu-west-1:123456789012:function:platform-local-"
# Faults after side effects, each armed a number of times: the handler's writes and posts are
# done when its worker dies or times out, or when its input is handed over again.
AFTER_EFFECTS: list[dict[str, Any]] = [
    *(
        {"function": f"platform-local-{name}", "fault": "crash_after", "count": 8}
        for name in ("capture-order", "notify", "security", "report-delivery", "answers-stream")
    ),
    {"function": "platform-local-notify", "fault": "timeout_after", "count": 1},
    *(
        {"duplicate": _FN + name, "count": 20}
        for name in ("capture-order", "notify", "security", "report-delivery")
    ),
    {"stream_again": "platform-local-answers-stream", "count": 5},
]
AFTER_KINDS = (
    "function_crash_after",
    "function_timeout_after",
    "duplicate_delivery",
    "stream_redelivery",
)
# (question id, values a user cycles through): valid answers of account-security.v1.
QUESTIONS = (
    ("mfa", (True, False)),
    ("backups", ("daily", "weekly", "monthly", "never")),
    ("updates", ("automatic", "monthly", "rarely")),
    ("password-manager", (False, True)),
    ("password-reuse", ("never", "rarely", "often")),
)
RETRYABLE_ENTRY = {"ThrottlingException", "InternalFailure"}
SEND_ATTEMPTS = 40
ARTIFACTS = Path(__file__).resolve().parents[2] / "dist" / "test-artifacts"


# --- the switch ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("webhook", "write kind=rate"),
        ("webhook=often", "'often' is not a number"),
        ("webhook=1.5", "webhook: the rate must be from 0 to 1, not 1.5"),
        ("lambda_crash=0.1", "unknown fault kind(s) lambda_crash: use dynamodb_throttle"),
    ],
)
def test_fault_rates_are_checked_and_the_wrong_part_named(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        parse_rates(text)


def test_the_switch_is_off_by_default_and_a_seed_repeats_a_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert parser().parse_args([]).faults == {}
    assert parse_rates("webhook=0.5, put_events=0.1") == {"webhook": 0.5, "put_events": 0.1}
    with pytest.raises(SystemExit):
        parser().parse_args(["--faults", "webhook=2"])
    assert "the rate must be from 0 to 1" in capsys.readouterr().err
    runs = []
    for _ in range(2):
        faults = Faults()
        assert not any(faults.hit("webhook") for _ in range(100))
        assert faults.configure({"webhook": 0.3}, seed=7) is None
        runs.append([faults.hit("webhook") for _ in range(1000)])
        assert faults.snapshot()["injected"]["webhook"] == sum(runs[-1])
    assert runs[0] == runs[1]
    assert 200 < sum(runs[0]) < 400


def test_a_throttle_is_answered_as_dynamodb_does_and_spares_the_operator() -> None:
    faults = Faults()
    aws = LocalAws(
        0,
        {"AKIAOPERATOR": "o", "AKIAFUNCTION": "f"},
        faults,
        operator_keys=frozenset({"AKIAOPERATOR"}),
    )
    aws.arn_prefix = "arn:aws:dynamodb:eu-west-1:123456789012:"
    aws.start()
    try:
        operator = aws.client("dynamodb", "eu-west-1", "AKIAOPERATOR", "o")
        function = aws.client("dynamodb", "eu-west-1", "AKIAFUNCTION", "f")
        operator.create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        assert faults.configure({"dynamodb_throttle": 1}) is None
        with pytest.raises(ClientError) as throttled:
            function.put_item(TableName="orders", Item={"pk": {"S": "a"}})
        operator.put_item(TableName="orders", Item={"pk": {"S": "b"}})
        faults.configure({})
        function.put_item(TableName="orders", Item={"pk": {"S": "c"}})
        stored = sorted(i["pk"]["S"] for i in operator.scan(TableName="orders")["Items"])
    finally:
        aws.stop()
    error = throttled.value.response
    assert error["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert error["ResponseMetadata"]["RetryAttempts"] >= 2  # the SDK retried it as a throttle
    assert error["ThrottlingReasons"] == [
        {
            "reason": "TableWriteKeyRangeThroughputExceeded",
            "resource": "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
        }
    ]
    assert stored == ["b", "c"]
    assert (
        faults.snapshot()["injected"]["dynamodb_throttle"]
        == 1 + error["ResponseMetadata"]["RetryAttempts"]
    )


# --- the platform under faults ------------------------------------------------------------------


@pytest.fixture(scope="module")
def chaos(plans: Path) -> Iterator[LocalPlatform]:
    local = LocalPlatform(plans / "faults", args=["-q"]).start()
    try:
        yield local
    finally:
        assert local.stop() == 0, local.console_text()[-5000:]


@dataclass
class User:
    user_id: str
    token: str
    socket: Socket | None = None
    reports: list[str] = field(default_factory=list)


def ops(platform: LocalPlatform, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = ops_main(["--outputs", str(platform.out / "outputs.json"), *argv], out=out)
    return code, out.getvalue()


def depths(platform: LocalPlatform) -> dict[str, int]:
    """Queue key -> visible messages, from ``platform-ops list``."""
    code, listing = ops(platform, "list")
    assert code == 0, listing
    found: dict[str, int] = {}
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            found[parts[0]] = int(parts[1])
    assert found, listing
    return found


# --- clients that follow AWS's advice ----------------------------------------------------------


def upload_until_put(platform: LocalPlatform, body: dict[str, Any], token: str) -> int:
    """POST /uploads until EventBridge took the entry: 429 (the route's throttle) and a
    retryable failed entry are sent again with backoff; the number of attempts. To the HTTP
    API's own route: the load is one customer's 2,020 orders, which the edge's limit per
    caller would refuse (as it should; tests/local/test_http_auth.py proves that limit)."""
    for attempt in range(1, SEND_ATTEMPTS + 1):
        status, answer = platform.upload(body, token=token, origin=True)
        if status == 200 and answer["FailedEntryCount"] == 0:
            return attempt
        if status == 200:
            code = answer["Entries"][0].get("ErrorCode")
            assert code in RETRYABLE_ENTRY, answer
        else:
            assert status == 429, (status, answer)
        time.sleep(min(1.0, 0.02 * 2 ** min(attempt, 6)))
    raise AssertionError(f"order {body.get('orderId')} not taken in {SEND_ATTEMPTS} attempts")


def publish_until_taken(events: Events, user: User, answers: list[dict[str, Any]]) -> int:
    """Publish ``answers`` on the user's channel until each one succeeded: a 5xx answer is
    published again whole, a failed item alone; the number of requests."""
    channel = f"/answers/{user.user_id}"
    auth = {"host": events.host, "Authorization": user.token}
    pending = list(answers)
    for attempt in range(1, SEND_ATTEMPTS + 1):
        status, answer = events.http_publish(channel, pending, auth)
        if status == 200:
            failed = {f["index"] for f in answer["failed"]}
            assert all("again" in f["errorMessage"] for f in answer["failed"]), answer
            pending = [a for n, a in enumerate(pending) if n in failed]
            if not pending:
                return attempt
        else:
            assert status >= 500, (status, answer)
        time.sleep(min(1.0, 0.02 * 2 ** min(attempt, 6)))
    raise AssertionError(f"{len(pending)} answers of {user.user_id} not taken")


def answer(n: int) -> dict[str, Any]:
    """A user's n-th answer: the questions in turn, each time another value."""
    question, values = QUESTIONS[n % len(QUESTIONS)]
    return {
        "questionnaireId": "account-security.v1",
        "questionId": question,
        "value": values[(n // len(QUESTIONS)) % len(values)],
    }


@contextlib.contextmanager
def listening(events: Events, users: list[User]) -> Iterator[None]:
    """Each user subscribed to their own report channel, as the web app is; every event
    received is kept (its reportId) until the block ends."""
    stop = threading.Event()
    threads: list[threading.Thread] = []
    with contextlib.ExitStack() as stack:
        for user in users:
            auth = {"host": events.host, "Authorization": user.token}
            ws = stack.enter_context(events.socket(auth=auth))
            ws.init()
            sub = uuid.uuid4().hex
            assert ws.subscribe(sub, f"/reports/{user.user_id}", auth)["type"] == (
                "subscribe_success"
            )
            user.socket = ws

            def listen(user: User = user, ws: Socket = ws, sub: str = sub) -> None:
                while not stop.is_set():
                    try:
                        message = json.loads(ws.ws.recv(timeout=0.5))
                    except TimeoutError:
                        continue
                    if message.get("type") == "data" and message.get("id") == sub:
                        user.reports.append(json.loads(message["event"])["reportId"])

            thread = threading.Thread(target=listen, daemon=True)
            thread.start()
            threads.append(thread)
        try:
            yield
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=5)


# --- what was done, counted ---------------------------------------------------------------------


def scan(platform: LocalPlatform, table: str) -> list[dict[str, Any]]:
    dynamodb = platform.client("dynamodb")
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table}
    while True:
        page = dynamodb.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def archived(platform: LocalPlatform, detail_type: str) -> list[dict[str, Any]]:
    """Every event of ``detail_type`` the bus took (its archive, as StartReplay reads it)."""
    events = []
    for archive in (platform.out / "archive").glob("*.jsonl"):
        for line in archive.read_text().splitlines():
            event = json.loads(line)
            if event["detail-type"].startswith(detail_type):
                events.append(event)
    return events


def poison_messages(platform: LocalPlatform) -> list[dict[str, Any]]:
    """Every poison message (received and left in place)."""
    sqs = platform.client("sqs")
    url = platform.outputs["poison_queue_url"]
    seen: dict[str, dict[str, Any]] = {}
    for _ in range(200):
        batch = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=120, WaitTimeSeconds=0
        ).get("Messages", [])
        if not batch:
            break
        for message in batch:
            seen[message["MessageId"]] = json.loads(message["Body"])
    return list(seen.values())


def test_under_faults_nothing_is_lost_or_duplicated_after_a_redrive(
    chaos: LocalPlatform,
) -> None:
    started = time.monotonic()
    run = uuid.uuid4().hex[:6]
    events = Events(chaos)
    cognito = chaos.client("cognito-idp")
    pool = chaos.outputs["cognito_user_pool_id"]
    client_id = chaos.outputs["cognito_user_pool_client_id"]
    users = []
    for n in range(USERS):
        account = create_local_user(cognito, pool, f"chaos-{run}-{n}@example.com")
        token = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": account["username"], "PASSWORD": account["password"]},
        )["AuthenticationResult"]["IdToken"]
        users.append(User(account["user_id"], token))
    orders = [f"c{run}-{n:04d}" for n in range(ORDERS)]
    poison_orders = [f"c{run}-poison-{n:02d}" for n in range(POISON_ORDERS)]
    poison_users = [f"c{run}-poison-{n}" for n in range(POISON_ANSWERS)]
    customer = chaos.token()

    with listening(events, users):
        chaos.inject({"rates": RATES, "seed": SEED})
        for armed in AFTER_EFFECTS:
            chaos.inject(armed)
        load_started = time.monotonic()
        with ThreadPoolExecutor(6) as pool_:
            uploads = pool_.map(
                lambda body: upload_until_put(chaos, body, customer),
                [order(o) for o in orders]
                + [{"orderId": o, "currency": "EUR"} for o in poison_orders],
            )
            publishes = pool_.map(
                lambda job: publish_until_taken(events, job[0], job[1]),
                [
                    (user, [answer(n) for n in range(start, start + 5)])
                    for user in users
                    for start in range(0, ANSWERS_PER_USER, 5)
                ],
            )
            upload_attempts, publish_requests = sum(uploads), sum(publishes)
        answers_table = chaos.outputs["answers_table_name"]
        for stranger in poison_users:  # written by another service: a question out of contract
            item = answer_item(stranger, "mfa", True, "2026-11-24T09:00:00+00:00")
            item["questionId"] = {"S": "no such question!"}
            chaos.client("dynamodb").put_item(TableName=answers_table, Item=item)
        load_seconds = time.monotonic() - load_started
        chaos.settle(timeout=600)
        under_faults = chaos.status()["faults"]
        parked = {k: v for k, v in depths(chaos).items() if v and k != "poison"}

        chaos.inject({"rates": {}})
        redriven: dict[str, int] = {}
        for _round in range(3):  # a redrive into a healthy platform empties a queue at once
            waiting = {k: v for k, v in depths(chaos).items() if v and k != "poison"}
            if not waiting:
                break
            for queue, depth in waiting.items():
                code, summary = ops(chaos, "redrive", queue, "--yes", "--max", str(depth + 10))
                assert code == 0, summary
                redriven[queue] = redriven.get(queue, 0) + depth
            chaos.settle(timeout=300)

        expected_reports = USERS * ANSWERS_PER_USER
        wait_for(
            lambda: sum(len(u.reports) for u in users) >= expected_reports or None,
            60,
            "every report on its user's channel",
        )
        time.sleep(1.0)  # a duplicate would arrive right behind
    left = {k: v for k, v in depths(chaos).items() if v and k != "poison"}

    # Orders: stored once each, posted once each, the poisoned ones parked, not stored.
    stored = Counter(i["orderId"]["S"] for i in scan(chaos, chaos.outputs["orders_table_name"]))
    hooks = chaos.get(chaos.outputs["webhook_messages_url"])
    posted = Counter(
        m["body"]["text"].split("New order ", 1)[1].split()[0]
        for m in hooks
        if m["status"] == 200 and isinstance(m["body"], dict) and "New order " in m["body"]["text"]
    )
    refused_posts = sum(1 for m in hooks if m["status"] != 200)
    # Answers: one ReportReady per answer (the security service ran each once), one report
    # stored per answer, and one live delivery of each to its user.
    ours = {u.user_id for u in users}
    reports_put = Counter(
        e["detail"]["reportId"]
        for e in archived(chaos, "ReportReady")
        if e["detail"]["userId"] in ours
    )
    answers_announced = Counter(
        (e["detail"]["userId"], e["detail"]["questionId"], e["detail"]["submittedAt"])
        for e in archived(chaos, "AnswerSubmitted")
        if e["detail"]["userId"] in ours
    )
    stored_reports = Counter(  # pk USER#<user>, sk REPORT#<questionnaire>#<time>#<reportId>
        i["sk"]["S"].rsplit("#", 1)[-1]
        for i in scan(chaos, chaos.outputs["reports_table_name"])
        if i["pk"]["S"].removeprefix("USER#") in ours
    )
    delivered = Counter(r for u in users for r in u.reports)
    poison = poison_messages(chaos)
    poisoned_orders = Counter(
        (m["function"], m["payload"]["detail"]["orderId"])
        for m in poison
        if isinstance(m["payload"], dict) and "detail" in m["payload"]
    )
    poisoned_answers = Counter(
        m["payload"]["dynamodb"]["NewImage"]["userId"]["S"]
        for m in poison
        if isinstance(m["payload"], dict) and m["payload"].get("eventSource") == "aws:dynamodb"
    )
    reasons = {m["reason"] for m in poison}

    summary = "\n".join(
        [
            f"fault injection: {ORDERS} orders (+{POISON_ORDERS} poisoned) in {upload_attempts} "
            f"uploads, {USERS * ANSWERS_PER_USER} answers (+{POISON_ANSWERS} poisoned) in "
            f"{publish_requests} publishes, sent in {load_seconds:.0f} s at rates {RATES}",
            f"  faults injected: {under_faults['injected']}",
            f"  webhook answers refused while down: {refused_posts}",
            f"  parked after retries: {parked or 'nothing'}; redriven: {redriven or 'nothing'}",
            f"  orders stored once: {sum(stored[o] == 1 for o in orders)}/{ORDERS}, posted once: "
            f"{sum(posted[o] == 1 for o in orders)}/{ORDERS}; answers announced: "
            f"{len(answers_announced)} ({sum(answers_announced.values())} events), reports put: "
            f"{len(reports_put)} ({sum(reports_put.values())} events), stored: "
            f"{len(stored_reports)}, delivered live: {len(delivered)} ({sum(delivered.values())})",
            f"  poison queue: {len(poison)} messages ({len(poisoned_orders)} order, "
            f"{len(poisoned_answers)} answer); queues left: {left or 'none'}; "
            f"{time.monotonic() - started:.0f} s in all",
        ]
    )
    print(f"\n{summary}")  # shown by the local env (pytest -rP)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "fault-injection.txt").write_text(summary + "\n")

    # The faults really happened, and the retries and the redrive made up for every one.
    assert all(under_faults["injected"][kind] > 0 for kind in RATES), under_faults
    assert all(under_faults["injected"][kind] > 0 for kind in AFTER_KINDS), under_faults
    assert left == {}
    assert {o: n for o, n in stored.items() if o.startswith(f"c{run}-")} == dict.fromkeys(orders, 1)
    assert {o: n for o, n in posted.items() if o.startswith(f"c{run}-")} == dict.fromkeys(orders, 1)
    assert len(answers_announced) == expected_reports
    assert len(reports_put) == expected_reports
    assert set(reports_put.values()) == {1}  # no answer was assessed twice
    assert stored_reports == reports_put
    assert delivered == reports_put  # each report reached its user once
    for user in users:
        assert len(set(user.reports)) == ANSWERS_PER_USER
    # Every poisoned input is in the poison queue, once, with its reason; nothing else is.
    assert {o for _, o in poisoned_orders} == set(poison_orders)
    assert set(poisoned_orders.values()) == {1}
    assert poisoned_answers == dict.fromkeys(poison_users, 1)
    assert any("detail.items: Field required" in r for r in reasons)
    assert any("questionId: String should match pattern" in r for r in reasons)
    assert len(poison) == sum(poisoned_orders.values()) + POISON_ANSWERS


def test_the_sdk_backoff_in_a_function_runs_in_local_time() -> None:
    """A worker with ``_LOCAL_DELAY_SCALE`` scales botocore's retry waits, and only them."""
    probe = """
import sys
from local_runtime.functions.worker import _ScaledSdkBackoff
if sys.argv[1] != "1":
    sys.meta_path.insert(0, _ScaledSdkBackoff(float(sys.argv[1])))
from botocore.retries import standard
context = standard.RetryContext(attempt_number=3, request_context={})
print(standard.ExponentialBackoff(random=lambda: 1.0).delay_amount(context))
"""

    def delay(scale: str) -> float:
        done = subprocess.run(
            [sys.executable, "-c", probe, scale],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        return float(done.stdout)

    aws, local = delay("1"), delay("0.01")
    assert aws > 0
    assert local == pytest.approx(aws * 0.01)
