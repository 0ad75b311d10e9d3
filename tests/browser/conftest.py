"""Real headless Chromium (Debian's, driven by Playwright) against the live test server."""

import os
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}



class OneRequestAtATimeOnSharedSQLite(ThreadedWSGIServer):
    """The live server, answering one request at a time when its threads share the test's connection.

    On SQLite the test database is in memory, so every server thread uses the test's one connection
    (``connections_override``). A page that asks for several things at once — a record's signature images, a
    phone's photo upload beside its autosave — then ran two queries on one connection at the same moment, and
    SQLite refused one ("bad parameter or other API misuse", "database table is locked"): a 500 no real
    server gives, failing a test now and then. Requests still have a thread per connection (keep-alive
    connections do not block each other); only the application runs one at a time, its response read whole.
    On PostgreSQL each thread has its own connection and nothing is serialized."""

    lock = threading.Lock()

    def set_app(self, application) -> None:
        if not self.connections_override:
            super().set_app(application)
            return

        def one_at_a_time(environ, start_response):
            with self.lock:
                response = application(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    close = getattr(response, "close", None)
                    if close is not None:
                        close()

        super().set_app(one_at_a_time)


LiveServerThread.server_class = OneRequestAtATimeOnSharedSQLite

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core, from the npm registry (package.json's devDependencies): the accessibility rules browsers' own
audits use."""
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def assert_accessible(page, where: str = "") -> None:
    """Run axe-core on the page as it stands and fail on any violation of WCAG 2.1 A/AA or axe's best
    practices: text without 4.5:1 contrast, a link or field without a name, a table heading without text, a
    scrolling box the keyboard cannot reach — and a field whose only name is its placeholder. Each violation is
    listed with the elements it found."""
    # A dialog is visible from the first frame of its fade-in; axe measured a half-faded button's colours under load
    # (4.27:1 instead of the real 4.5:1 or more). Judge the page as it comes to rest: wait for every finite
    # animation and transition (not a spinner's, which never ends).
    page.evaluate("""() => Promise.all(document.getAnimations()
        .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
        .map(a => a.finished.catch(() => null)))""")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the browser's debugger: not an inline script
    violations = page.evaluate(r"""async (tags) => (await axe.run(document, {
            runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})).violations.map(v =>
        `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.slice(0, 5).map(n => `    ${n.target.join(" ")}: `
            + (n.any.concat(n.all, n.none)[0] || {message: ""}).message).join("\n"))""", AXE_TAGS)
    # axe accepts a placeholder as a field's name, but the hint is gone as soon as one types: a field the
    # system asks people to fill (a review opinion, a reason) needs a label, or at least a name of its own.
    unnamed = page.evaluate("""() => [...document.querySelectorAll("input[placeholder], textarea[placeholder]")]
        .filter(f => f.type !== "hidden" && !f.labels.length && !f.getAttribute("aria-label")
                     && !f.getAttribute("aria-labelledby") && !f.title)
        .map(f => `${f.tagName.toLowerCase()}[name=${f.name}] placeholder "${f.placeholder}"`)""")
    if unnamed:
        violations.append("placeholder-only name: a field named by its placeholder alone\n"
                          + "\n".join(f"    {field}" for field in unnamed))
    # Two elements with one id: a label ("批准", "单位名称") of the second form ticks the first form's box, and
    # the second form is refused for a choice its user made (the approvals and withholding pages did this).
    repeated = page.evaluate("""() => { const seen = {};
        for (const element of document.querySelectorAll("[id]")) seen[element.id] = (seen[element.id] || 0) + 1;
        return Object.entries(seen).filter(([, n]) => n > 1).map(([id, n]) => `#${id} ×${n}`); }""")
    if repeated:
        violations.append("duplicate-id: an id given to more than one element\n"
                          + "\n".join(f"    {entry}" for entry in repeated))
    assert not violations, f"{where or page.url}:\n" + "\n".join(violations)


def open_phone_menu(page) -> None:
    """Open a phone's menu (the navigation bar's ☰) and wait until it has opened: Bootstrap's collapse slides it
    open and adds .show when the slide ends, and a tap on 更多 or 退出 during the slide, on a loaded machine, could
    land before the entry under it was ready (the tap was lost, the test failed now and then)."""
    page.click("button.navbar-toggler")
    page.wait_for_selector("#mainnav.show:not(.collapsing)")


@pytest.fixture(scope="session")
def chromium():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
    # browser steps are ordinary synchronous calls, so Django's async-safety guard does not apply.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def watch_policy(context, refused: list[str]) -> None:
    """Collect what the Content Security Policy refuses on the context's pages, as Chromium logs it. A page whose
    script the policy blocks looks fine until its buttons do nothing; the fixtures fail the test on any."""
    context.on("console", lambda message: refused.append(message.text)
               if "Content Security Policy" in message.text else None)


@pytest.fixture
def open_page(chromium, live_server):
    """open_page(user, viewport=None, **options) → a logged-in page on the live server; ``options`` go to the
    browser context (``timezone_id="Europe/London"``: a phone set to another time zone)."""
    contexts = []
    refused: list[str] = []

    def open_as(user, password: str, viewport: dict | None = None, **options):
        context = chromium.new_context(viewport=viewport or {"width": 1366, "height": 900}, locale="zh-CN", **options)
        contexts.append(context)
        watch_policy(context, refused)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("form button[type=submit], form button.btn-success")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert refused == [], refused
