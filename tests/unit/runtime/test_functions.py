"""Lambda on this machine, without the rest of the platform: a worker process per function,
cold and warm invocations, errors as the Python runtime reports them, timeouts and crashes,
asynchronous retries and the on-failure record, and Lambda's Invoke API over them."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import HeadersDict
from botocore.parsers import RestJSONParser

from local_runtime.console import Console
from local_runtime.faults import Faults
from local_runtime.functions.invoke import InvokeApi
from local_runtime.functions.registry import Functions
from local_runtime.functions.runtime import CodeWatcher, Credentials, FunctionRuntime
from local_runtime.plan.models import AsyncConfig, FunctionSpec

HANDLERS = Path(__file__).with_name("handlers")
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:"


def spec(
    name: str, handler: str, timeout: int = 3, retries: int = 2, reserved: int | None = None
) -> FunctionSpec:
    return FunctionSpec(
        address=f"module.{name}",
        name=name,
        arn=ARN + name,
        handler=handler,
        role=f"arn:aws:iam::123456789012:role/{name}",
        runtime="python3.13",
        timeout=timeout,
        memory_size=128,
        environment={"PLANNED": "yes"},
        application_log_level="INFO",
        log_format="JSON",
        log_group=f"/aws/lambda/{name}",
        async_config=AsyncConfig(maximum_retry_attempts=retries, on_failure_queue="failures"),
        reserved_concurrency=reserved,
    )


class Records:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def __call__(self, queue: str, record: dict[str, Any]) -> None:
        self.sent.append((queue, record))


def runtime(
    tmp_path: Path,
    function: FunctionSpec,
    faults: Faults,
    records: Records,
    concurrency: int = 2,
) -> FunctionRuntime:
    return FunctionRuntime(
        function,
        region="eu-west-1",
        code_dir=tmp_path,
        watcher=CodeWatcher(None),
        credentials=Credentials("AKIALOCALTEST0000000", "secret"),
        aws_endpoint="http://127.0.0.1:9",
        log_dir=tmp_path,
        console=Console(verbosity=0),
        delay_scale=0.001,
        send_failure=records,
        faults=faults,
        extra_code=(HANDLERS,),
        concurrency=concurrency,
    )


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop on a thread of its own (the Invoke API calls in from other threads)."""
    running = asyncio.new_event_loop()
    thread = threading.Thread(target=running.run_forever, daemon=True)
    thread.start()
    yield running
    running.call_soon_threadsafe(running.stop)
    thread.join(timeout=10)
    running.close()


def call(loop: asyncio.AbstractEventLoop, coroutine: Any, timeout: float = 30) -> Any:
    return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout)


@pytest.fixture
def platform(
    tmp_path: Path, loop: asyncio.AbstractEventLoop
) -> Iterator[tuple[Functions, Faults, Records]]:
    faults, records = Faults(), Records()
    functions = Functions(
        {
            name: runtime(tmp_path, spec(name, handler), faults, records)
            for name, handler in {
                "echo": "probe.echo",
                "fail": "probe.fail",
                "odd": "probe.unmarshallable",
                "sleepy": "probe.sleepy",
                "broken": "broken.lambda_handler",
            }.items()
        }
    )
    yield functions, faults, records
    call(loop, functions.stop())


def test_cold_then_warm_with_the_runtimes_context(platform: Any, loop: Any) -> None:
    functions, _, _ = platform
    first = call(loop, functions.invoke("echo", {"n": 1}, "c", "req-1"))
    second = call(loop, functions.invoke("echo", {"n": 2}))
    assert first.ok
    assert first.cold
    assert first.init_ms is not None
    assert second.ok
    assert not second.cold
    assert first.payload["event"] == {"n": 1}
    assert first.payload["request_id"] == "req-1"
    assert first.payload["function"] == "echo"
    assert 0 < first.payload["remaining_ms"] <= 3000
    assert first.payload["trace"].startswith("Root=1-")
    assert functions["echo"].invocations == 2


def test_errors_as_the_python_runtime_reports_them(platform: Any, loop: Any) -> None:
    functions, _, _ = platform
    failed = call(loop, functions.invoke("fail", {"x": 1}))
    assert not failed.ok
    assert failed.error_type == "ValueError"
    assert failed.payload["errorMessage"] == "refused {'x': 1}"
    assert failed.payload["stackTrace"]
    odd = call(loop, functions.invoke("odd", {}))
    assert odd.error_type == "Runtime.MarshalError"
    broken = call(loop, functions.invoke("broken", {}))
    assert broken.error_type.startswith("Runtime.ImportModuleError")
    assert functions["fail"].errors == 1


def test_timeouts_and_crashes_end_the_worker(platform: Any, loop: Any) -> None:
    functions, faults, _ = platform
    faults.arm("function_timeout", "echo", 1)
    faults.arm("function_crash", "sleepy", 1)
    timed_out = call(loop, functions.invoke("echo", {}))
    assert timed_out.error_type == "Sandbox.Timedout"
    assert "Task timed out after 3.00 seconds" in timed_out.payload["errorMessage"]
    crashed = call(loop, functions.invoke("sleepy", {}))
    assert crashed.error_type == "Runtime.ExitError"
    assert "signal: kill" in crashed.payload["errorMessage"]
    again = call(loop, functions.invoke("sleepy", {"seconds": 0}))
    assert again.ok
    assert again.cold
    assert faults.snapshot()["injected"]["function_crash"] == 1


def test_faults_after_the_handler_ran_keep_its_effects_and_fail_the_invocation(
    platform: Any, loop: Any, tmp_path: Path
) -> None:
    """A worker killed, or timed out, after its handler did its work: the write happened,
    yet Lambda sees a failed invocation (and would retry it)."""
    functions, faults, _ = platform
    for kind, expected in (
        ("crash_after", "Runtime.ExitError"),
        ("timeout_after", "Sandbox.Timedout"),
    ):
        marker = tmp_path / f"{kind}.txt"
        faults.arm(f"function_{kind}", "sleepy", 1)
        failed = call(loop, functions.invoke("sleepy", {"seconds": 0, "write": str(marker)}))
        assert failed.error_type == expected
        assert marker.read_text() == "written"
        assert faults.snapshot()["injected"][f"function_{kind}"] == 1
    again = call(loop, functions.invoke("sleepy", {"seconds": 0}))
    assert (again.ok, again.cold) == (True, True)


def test_an_asynchronous_event_is_retried_then_recorded(platform: Any, loop: Any) -> None:
    functions, _, records = platform

    async def until_recorded() -> None:
        functions.invoke_async("fail", {"order": 7}, "corr")
        for _ in range(400):
            await asyncio.sleep(0.01)
            if records.sent:
                return

    call(loop, until_recorded())
    [(queue, record)] = records.sent
    assert queue == "failures"
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"] == {"order": 7}
    assert record["responsePayload"]["errorType"] == "ValueError"
    assert record["responseContext"]["functionError"] == "Unhandled"


def test_the_invoke_api(platform: Any, loop: Any) -> None:
    functions, _, _ = platform
    api = InvokeApi(functions, loop, ARN)
    status, headers, body = api.invoke("echo", "RequestResponse", None, b'{"k": "v"}')
    assert (status, headers["X-Amz-Executed-Version"]) == (200, "$LATEST")
    assert json.loads(body)["event"] == {"k": "v"}
    status, headers, body = api.invoke(ARN + "fail:$LATEST", "RequestResponse", None, b"{}")
    assert (status, headers["X-Amz-Function-Error"]) == (200, "Unhandled")
    assert api.invoke("123456789012:function:echo", "DryRun", None, b"{}")[0] == 204
    assert api.invoke("echo", "Event", "$LATEST", b"{}")[0] == 202
    for target, kind, qualifier, body_in, status_out, code in [
        ("nope", "RequestResponse", None, b"{}", 404, "ResourceNotFoundException"),
        ("echo", "RequestResponse", "7", b"{}", 404, "ResourceNotFoundException"),
        ("echo", "Later", None, b"{}", 400, "InvalidParameterValueException"),
        ("echo", "RequestResponse", None, b"{not json", 400, "InvalidRequestContentException"),
    ]:
        status, headers, body = api.invoke(target, kind, qualifier, body_in)
        assert (status, headers["x-amzn-ErrorType"]) == (status_out, code)
        assert json.loads(body)["Type"] == "User"


# --- concurrency -----------------------------------------------------------------------------


@pytest.fixture
def scaled(tmp_path: Path, loop: asyncio.AbstractEventLoop) -> Iterator[Functions]:
    """sleepy with 2 reserved and room for 4 here; slow with 3 reserved and room for 1 here;
    single with 1 reserved; off with none (switched off)."""
    faults, records = Faults(), Records()
    functions = Functions(
        {
            "sleepy": runtime(
                tmp_path, spec("sleepy", "probe.sleepy", reserved=2), faults, records, 4
            ),
            "slow": runtime(tmp_path, spec("slow", "probe.sleepy", reserved=3), faults, records, 1),
            "single": runtime(
                tmp_path, spec("single", "probe.sleepy", reserved=1), faults, records
            ),
            "off": runtime(tmp_path, spec("off", "probe.echo", reserved=0), faults, records),
        }
    )
    yield functions
    call(loop, functions.stop())


def test_two_run_at_once_and_the_third_is_throttled_as_lambda_throttles(
    scaled: Functions, loop: Any
) -> None:
    async def three() -> list[Any]:
        return list(
            await asyncio.gather(*(scaled.invoke("sleepy", {"seconds": 0.5}) for _ in range(3)))
        )

    results = call(loop, three())
    assert [r.ok for r in results].count(True) == 2
    (throttled,) = [r for r in results if r.throttled]
    assert throttled.payload == {
        "errorType": "TooManyRequestsException",
        "errorMessage": "Rate Exceeded.",
        "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
    }
    shown = scaled["sleepy"].concurrency()
    assert (shown["peak"], shown["throttles"], shown["workers"], shown["coldStarts"]) == (
        2,
        1,
        2,
        2,
    )
    assert (shown["reserved"], shown["localLimit"], shown["running"]) == (2, 2, 0)


def test_the_invoke_api_answers_a_throttle_as_botocore_reads_it(
    scaled: Functions, loop: Any
) -> None:
    api = InvokeApi(scaled, loop, ARN)
    busy = asyncio.run_coroutine_threadsafe(scaled.invoke("single", {"seconds": 0.5}), loop)
    for _ in range(100):  # bounded: until the slow one runs (its worker started)
        if scaled["single"].running:
            break
        time.sleep(0.1)
    status, headers, body = api.invoke("single", "RequestResponse", None, b"{}")
    busy.result(10)
    # Parsed with botocore's own lambda model, as boto3 would (rest-json errors).
    model = botocore.session.get_session().get_service_model("lambda")
    parsed = RestJSONParser().parse(
        {"status_code": status, "headers": HeadersDict(headers), "body": body},
        model.operation_model("Invoke").output_shape,
    )
    assert status == 429
    assert parsed["Error"]["Code"] == "TooManyRequestsException"
    assert parsed["Error"]["Message"] == "Rate Exceeded."
    assert json.loads(body)["Reason"] in model.shape_for("ThrottleReason").enum


def test_past_this_machines_limit_invocations_wait_and_are_not_throttled(
    scaled: Functions, loop: Any
) -> None:
    async def three() -> list[Any]:
        return list(
            await asyncio.gather(*(scaled.invoke("slow", {"seconds": 0.2}) for _ in range(3)))
        )

    assert all(r.ok for r in call(loop, three()))
    shown = scaled["slow"].concurrency()
    assert (shown["peak"], shown["throttles"], shown["workers"]) == (1, 0, 1)


def test_a_throttled_asynchronous_event_waits_and_is_no_attempt(
    scaled: Functions, loop: Any, tmp_path: Path
) -> None:
    written = tmp_path / "written"

    async def scenario() -> None:
        holding = asyncio.ensure_future(scaled.invoke("single", {"seconds": 0.5}))
        for _ in range(100):  # the synchronous one holds the only slot
            if scaled["single"].running:
                break
            await asyncio.sleep(0.02)
        scaled.invoke_async("single", {"write": str(written)}, "corr")
        await holding
        for _ in range(500):
            if written.exists() and scaled["single"].backlog == 0:
                return
            await asyncio.sleep(0.02)

    call(loop, scenario())
    assert written.read_text() == "written"
    assert scaled["single"].throttles >= 1  # it was throttled, then ran
    assert scaled["single"].errors == 0  # a throttle is no error of the function


def test_a_function_with_no_concurrency_reserved_is_always_throttled(
    scaled: Functions, loop: Any
) -> None:
    result = call(loop, scaled.invoke("off", {}))
    assert result.throttled
    assert scaled["off"].concurrency()["workers"] == 0  # it never ran
