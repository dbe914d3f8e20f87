"""The questionnaire web app in a real browser against the local platform: sign in, answer,
watch the report change live, see a refused answer's error, reload into the history, sign
out; sign up; accessibility (axe-core) and a phone-width screen. Screenshots of every step go
to dist/test-artifacts/web/."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from local_runtime.cognito.pools import create_local_user
from tests.local.appsync import Events
from tests.local.browser import ARTIFACTS, chromium, launch_args, spki_pin
from tests.local.platform import LocalPlatform, wait_for

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
TIMEOUT_MS = 20_000
expect.set_options(timeout=TIMEOUT_MS)  # every wait bounded; a report takes well under 1 s


@pytest.fixture(scope="module")
def browser(platform: LocalPlatform) -> Iterator[Browser]:
    executable = chromium()
    # The two TLS servers of the platform: the web app and the Event API.
    pins = [spki_pin(platform.outputs[key]) for key in ("web_url", "realtime_publish_url")]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=launch_args(pins))
        try:
            yield launched
        finally:
            launched.close()


def new_page(browser: Browser, width: int = 1280, height: int = 900) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems  # type: ignore[attr-defined]
    return page


def shot(page: Page, name: str) -> None:
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def screen(page: Page, name: str) -> None:
    """What a person sees: the viewport only (docs/screenshots/ shows these)."""
    page.screenshot(path=ARTIFACTS / f"screen-{name}.png", full_page=False)


def in_view(page: Page, locator: Locator) -> bool:
    box = locator.bounding_box()
    height = page.evaluate("() => window.innerHeight")
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def sign_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("E-mail address").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your security check")).to_be_visible()
    expect(page.locator("#link-state")).to_have_text("Live")


def question(page: Page, question_id: str) -> Locator:
    return page.locator(f"fieldset[data-question={question_id}]")


def answer(page: Page, question_id: str, label: str, expected_score: int) -> None:
    question(page, question_id).get_by_label(label, exact=True).check()
    expect(question(page, question_id).locator(".answer-status")).to_have_text("Saved")
    expect(page.get_by_test_id("score")).to_have_text(str(expected_score))


def axe_violations(page: Page) -> list[dict[str, object]]:
    """Serious and critical axe-core violations of the page as it is now."""
    if not AXE.is_file():
        raise AssertionError(f"{AXE} is missing: run `make web` (npm ci installs axe-core)")
    # Evaluated through the DevTools protocol: the page's CSP (script-src 'self', enforced in
    # these tests) refuses an injected <script>, as it should.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_sign_in_answer_watch_the_report_reload_and_sign_out(
    platform: LocalPlatform, browser: Browser
) -> None:
    user = platform.outputs["local_users"][0]
    page = new_page(browser)
    page.goto(platform.outputs["web_url"])
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "01-sign-in")

    sign_in(page, platform.outputs["web_url"], user["username"], user["password"])
    expect(page.locator(".card-slot")).to_contain_text("your report appears here")
    shot(page, "02-signed-in")

    # The README's example: 25 + 10 + 7 + 5 = 47, one answer at a time, each report live.
    answer(page, "mfa", "Yes", 25)
    answer(page, "password-reuse", "Rarely", 35)
    answer(page, "backups", "Weekly", 42)
    expect(page.get_by_test_id("updated")).to_have_text("updated just now")
    shot(page, "03-three-answers")

    # Blank text is not an answer: the channel handler refuses it and the app says why.
    months = question(page, "phishing-training")
    months.get_by_label("Months").fill("   ")
    months.get_by_role("button", name="Save answer").click()
    expect(months.locator(".answer-status")).to_contain_text("Not saved:")
    expect(months.locator(".answer-status")).to_contain_text(
        "String should have at least 1 character"
    )
    expect(page.get_by_test_id("score")).to_have_text("42")  # nothing changed
    shot(page, "04-refused-answer")

    months.get_by_label("Months").fill("18")
    months.get_by_role("button", name="Save answer").click()
    expect(page.get_by_test_id("score")).to_have_text("47")
    expect(page.get_by_test_id("level")).to_have_text("High risk")
    findings = page.locator(".report .finding")
    expect(findings).to_have_count(3)
    assert [f.get_attribute("data-question") for f in findings.all()] == [
        "password-reuse",
        "phishing-training",
        "backups",
    ]
    expect(page.locator(".report .pending summary")).to_have_text("3 questions not answered yet")
    assert axe_violations(page) == []
    shot(page, "05-report-47")

    # A reload (or another device) reads the same reports back from GET /reports.
    page.reload()
    expect(page.locator("#link-state")).to_have_text("Live")
    scores = page.locator(".history .history-score")
    expect(scores).to_have_count(4)  # newest first, each report once
    assert scores.all_inner_texts() == ["47 / 100", "42 / 100", "35 / 100", "25 / 100"]
    expect(page.get_by_role("button", name="Show older reports")).to_be_hidden()
    expect(page.get_by_test_id("score")).to_have_text("47")
    # ... and the saved answers from GET /answers, shown as selected and saved.
    expect(question(page, "mfa").get_by_label("Yes", exact=True)).to_be_checked()
    expect(question(page, "password-reuse").get_by_label("Rarely", exact=True)).to_be_checked()
    expect(question(page, "backups").get_by_label("Weekly", exact=True)).to_be_checked()
    expect(question(page, "phishing-training").get_by_label("Months")).to_have_value("18")
    expect(question(page, "mfa").locator(".answer-status")).to_have_text("Saved")
    expect(question(page, "updates").locator("input:checked")).to_have_count(0)
    shot(page, "06-after-reload")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#link-state")).to_have_text("Not signed in")
    shot(page, "07-signed-out")
    assert page.problems == []  # type: ignore[attr-defined]


def test_sign_out_works_while_the_page_is_still_connecting(
    platform: LocalPlatform, browser: Browser
) -> None:
    """The button works as soon as it shows: a click while the reports, the saved answers and
    presence are still loading signs out, and nothing started afterwards stays running."""
    user = platform.outputs["local_users"][0]
    page = new_page(browser)
    page.goto(platform.outputs["web_url"])
    page.get_by_label("E-mail address").fill(user["username"])
    page.get_by_label("Password").fill(user["password"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").click()  # at once, not waiting for "Live"
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#link-state")).to_have_text("Not signed in")
    page.wait_for_timeout(2000)  # whatever was still starting has started, and was stopped
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#link-state")).to_have_text("Not signed in")


def test_a_new_person_signs_up_confirms_and_signs_in(
    platform: LocalPlatform, browser: Browser
) -> None:
    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    password = "Correct-Horse-42"
    page = new_page(browser)
    page.goto(platform.outputs["web_url"])
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a longer password")
    shot(page, "10-sign-up-refused")

    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Confirm your account")).to_be_visible()
    # The local user pool sends no e-mail, and accepts any code (moto); in AWS the code
    # comes by e-mail. README: "What differs from AWS".
    page.get_by_label("Confirmation code").fill("123456")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status").filter(has_text="Account confirmed")).to_be_visible()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your security check")).to_be_visible()
    expect(page.locator(".history")).to_contain_text("No reports yet.")
    expect(page.locator(".account .who")).to_have_text(email)
    shot(page, "11-new-user-signed-in")
    assert page.problems == []  # type: ignore[attr-defined]


def test_phone_width_and_a_dropped_connection(platform: LocalPlatform, browser: Browser) -> None:
    user = platform.outputs["local_users"][0]
    page = new_page(browser, width=390, height=844)
    sign_in(page, platform.outputs["web_url"], user["username"], user["password"])
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    assert axe_violations(page) == []
    shot(page, "20-phone")

    # The connection drops (the server cuts it): the state says so, Amplify reconnects and
    # subscribes again, and the next report still arrives live.
    assert (
        platform.post(
            f"{platform.outputs['local_control_url']}/_local/faults",
            {"event_api": "drop_connections"},
        )[0]
        == 200
    )
    expect(page.locator("#link-state")).to_have_text(re.compile("Reconnecting…|Connecting…"))
    shot(page, "21-phone-dropped")
    # Amplify waits 5 s before it reconnects (RECONNECT_DELAY in its WebSocket provider).
    expect(page.locator("#link-state")).to_have_text("Live")
    before = page.locator(".history .history-item").count()
    question(page, "disk-encryption").get_by_label("Yes", exact=True).check()
    expect(question(page, "disk-encryption").locator(".answer-status")).to_have_text("Saved")
    expect(page.locator(".history .history-item")).to_have_count(before + 1)
    expect(page.get_by_test_id("updated")).to_have_text("updated just now")
    shot(page, "22-phone-after-reconnect")


def test_a_forgotten_password_is_reset(platform: LocalPlatform, browser: Browser) -> None:
    email = f"reset-{uuid.uuid4().hex[:8]}@example.com"
    cognito = platform.client("cognito-idp")
    pool, client_id = (
        platform.outputs["cognito_user_pool_id"],
        platform.outputs["cognito_user_pool_client_id"],
    )
    old_password = create_local_user(cognito, pool, email)["password"]
    page = new_page(browser)
    page.goto(platform.outputs["web_url"])
    page.get_by_role("button", name="Forgot your password?").click()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("Code from the e-mail").fill("123456")  # moto takes any code
    page.get_by_label("New password").fill("New-Password-22")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("status").filter(has_text="Password changed")).to_be_visible()
    shot(page, "12-password-reset")
    # The web app signs in with SRP: the old password is refused there as Cognito refuses it,
    # the new one signs in.
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(old_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    page.get_by_label("Password").fill("New-Password-22")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your security check")).to_be_visible()
    # The pool itself now takes the new password and refuses the old one.
    auth = cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=client_id,
        AuthParameters={"USERNAME": email, "PASSWORD": "New-Password-22"},
    )
    assert auth["AuthenticationResult"]["AccessToken"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            ClientId=client_id,
            AuthParameters={"USERNAME": email, "PASSWORD": old_password},
        )


def test_reports_published_while_the_connection_is_down_are_shown_once_after_it(
    platform: LocalPlatform, browser: Browser
) -> None:
    """Durable channels in the app: the connection is cut and kept down (the page offline)
    while three reports are published and kept; back online, Amplify reconnects, the app
    reads what it missed from the channel's history, and shows each report once."""
    cognito = platform.client("cognito-idp")
    email = f"resume-{uuid.uuid4().hex[:8]}@example.com"
    user = create_local_user(cognito, platform.outputs["cognito_user_pool_id"], email)
    page = new_page(browser, width=390, height=844)
    sign_in(page, platform.outputs["web_url"], email, user["password"])
    answer(page, "mfa", "Yes", 25)
    expect(page.locator(".history .history-item")).to_have_count(1)

    page.context.set_offline(True)
    assert (
        platform.post(
            f"{platform.outputs['local_control_url']}/_local/faults",
            {"event_api": "drop_connections"},
        )[0]
        == 200
    )
    expect(page.locator("#link-state")).not_to_have_text("Live")
    # Three answers from another device: three reports, published while this page is away.
    token = cognito.initiate_auth(
        ClientId=platform.outputs["cognito_user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": user["password"]},
    )["AuthenticationResult"]["IdToken"]
    events = Events(platform)
    for question_id, value in (
        ("password-reuse", "never"),
        ("backups", "daily"),
        ("updates", "automatic"),
    ):
        status, published = events.http_publish(
            f"/answers/{user['user_id']}",
            [{"questionnaireId": "account-security.v1", "questionId": question_id, "value": value}],
            {"host": events.host, "Authorization": token},
        )
        assert (status, published["failed"]) == (200, []), published
    history_url = f"{platform.outputs['channel_history_url']}/reports/{user['user_id']}"
    wait_for(
        lambda: len(platform.get_with(history_url, token)["events"]) == 4 or None,
        30,
        "the three reports to be kept",
    )
    expect(page.locator(".history .history-item")).to_have_count(1)  # still away
    shot(page, "23-away-while-reports-arrive")

    page.context.set_offline(False)
    expect(page.locator("#link-state")).to_have_text("Live")
    items = page.locator(".history .history-item")
    expect(items).to_have_count(4)
    ids = [i.get_attribute("data-report-id") for i in items.all()]
    assert len(set(ids)) == 4, ids
    shot(page, "24-caught-up")
    assert page.problems == []  # type: ignore[attr-defined]


def answering(count: int) -> str:
    return "1 person answering" if count == 1 else f"{count} people answering"


def test_the_header_counts_who_is_answering_live(platform: LocalPlatform, browser: Browser) -> None:
    """Presence: each signed-in page enters /chat/answering; the others' counts follow."""
    url = platform.outputs["web_url"]
    user = platform.outputs["local_users"][0]
    other = create_local_user(
        platform.client("cognito-idp"),
        platform.outputs["cognito_user_pool_id"],
        f"second-{uuid.uuid4().hex[:8]}@example.com",
    )
    page = new_page(browser)
    sign_in(page, url, user["username"], user["password"])
    count = page.locator("#occupancy")
    expect(count).to_have_text(re.compile(r"^\d+ (person|people) answering$"))
    # Pages of earlier tests may still be signed in: count from what this page shows.
    before = int(count.inner_text().split()[0])
    assert before >= 1

    phone = new_page(browser, width=390, height=844)
    sign_in(phone, url, other["username"], other["password"])
    expect(count).to_have_text(answering(before + 1))
    expect(phone.locator("#occupancy")).to_have_text(answering(before + 1))
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the header scrolls sideways on a phone ({width} px)"
    shot(phone, "30-occupancy-phone")

    phone.get_by_role("button", name="Sign out").click()
    expect(phone.locator("#occupancy")).to_be_hidden()
    expect(count).to_have_text(answering(before))
    shot(page, "31-occupancy-after-sign-out")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.problems == []  # type: ignore[attr-defined]
    assert phone.problems == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_the_score_stays_in_view_while_answering(
    platform: LocalPlatform, browser: Browser, width: int, height: int
) -> None:
    """On a phone the report card sits below the questions: a compact score line stays at the
    top of the screen while answering. The sign-in page says what the app is for; a long
    question wraps inside its box; a first answer with no findings does not claim full
    credit beside a low score."""
    cognito = platform.client("cognito-idp")
    email = f"phone-{uuid.uuid4().hex[:8]}@example.com"
    user = create_local_user(cognito, platform.outputs["cognito_user_pool_id"], email)
    page = new_page(browser, width=width, height=height)
    page.goto(platform.outputs["web_url"])
    expect(page.get_by_test_id("about")).to_contain_text(
        "Answer a few questions about how you protect your accounts and devices"
    )
    screen(page, f"sign-in-{width}")
    sign_in(page, platform.outputs["web_url"], email, user["password"])
    answer(page, "mfa", "Yes", 25)
    expect(page.locator(".report .no-findings")).not_to_contain_text("full credit")
    answer(page, "password-manager", "Yes", 40)
    # Back later (a reload, another device): the saved answers are selected, from GET /answers.
    page.reload()
    for question_id in ("mfa", "password-manager"):
        expect(question(page, question_id).get_by_label("Yes", exact=True)).to_be_checked()
        expect(question(page, question_id).locator(".answer-status")).to_have_text("Saved")
    expect(page.get_by_test_id("score")).to_have_text("40")
    # answering the questions further down: the page scrolls past the first ones
    page.locator("fieldset[data-question]").nth(2).evaluate("e => e.scrollIntoView()")
    summary = page.get_by_test_id("summary")
    if width <= 760:
        expect(summary).to_contain_text("40 / 100")
        expect(summary).to_contain_text("High risk")
        assert in_view(page, summary), "the score line scrolled away while answering"
        assert not in_view(page, page.get_by_test_id("score")), "the report card is below"
    else:
        expect(summary).to_be_hidden()  # the report card is beside the questions, in view
        assert page.evaluate("() => window.scrollY") > 0
        assert in_view(page, page.get_by_test_id("score"))
    screen(page, f"answering-{width}")
    for fieldset in page.locator("fieldset[data-question]").all():
        box, legend = fieldset.bounding_box(), fieldset.locator("legend").bounding_box()
        assert box is not None
        assert legend is not None
        assert legend["x"] + legend["width"] <= box["x"] + box["width"] + 0.5, "a title crosses"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.get_by_test_id("score").scroll_into_view_if_needed()
    screen(page, f"report-{width}")
    assert axe_violations(page) == []
    assert page.problems == []  # type: ignore[attr-defined]
