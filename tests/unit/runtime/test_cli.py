"""``python -m local_runtime``: its options refuse what cannot work, by name, and a start
that cannot happen ends at once with exit code 2 and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from local_runtime.cli import main, parser


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--aws-port", "70000"], "70000 is not a port (0 picks a free one)"),
        (["--delay-scale", "2"], "--delay-scale must be in (0, 1]"),
        (["--faults", "webhook=2"], "webhook"),
        (["--faults", "nonsense=0.5"], "nonsense"),
        (["--code", "jar"], "invalid choice: 'jar'"),
        (["--stream-retention", "90000"], "--stream-retention must be 0-86400 seconds"),
    ],
)
def test_options_that_cannot_work_are_refused(
    argv: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(argv)
    assert exited.value.code == 2
    assert problem in capsys.readouterr().err


def test_the_defaults_are_the_documented_ports() -> None:
    args = parser().parse_args([])
    ports = (args.aws_port, args.http_port, args.events_port, args.control_port, args.web_port)
    assert ports == (4566, 4567, 4568, 4569, 4570)
    assert args.delay_scale == 0.01
    assert args.stream_retention == 24 * 3600  # AWS keeps stream records 24 hours
    assert args.plan is None


def test_a_start_that_cannot_happen_ends_with_its_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "handlers.zip"
    code = main(["--zip", str(missing), "--out", str(tmp_path / "out"), "--work", str(tmp_path)])
    assert code == 2
    out = capsys.readouterr().out
    assert "local runtime refused to start" in out
    assert f"{missing} is missing: run `make package` first" in out
