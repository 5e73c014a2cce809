"""Shared by the self-test page's tests: Debian's headless Chromium driven by selenium through the
system chromedriver (no browser download), the page built under tmp_path, a student's way of
answering each type of card, and axe-core (pinned in tests/js) run on the page."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.export import render_exports

from .exporttools import checked_project

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
NEEDS_CHROMIUM = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)",
)
AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
DAY = 86_400_000
TYPES = ("basic", "mcq", "truefalse", "cloze", "order", "match", "quote", "claims")


def start_chromium(profile: Path) -> Any:
    """Headless Chromium through the system chromedriver, its profile in ``profile``, its clock in UTC.
    One per xdist worker (the session fixture ``chromium`` in tests/conftest.py)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # selenium never fetches a driver or a browser
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1000,900",
                f"--user-data-dir={profile}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "UTC"})
    return driver


def fresh(driver) -> None:  # type: ignore[no-untyped-def]
    """The shared browser as a new one is, before each test: a blank page, nothing saved by any page
    (localStorage, cookies, cache), no emulated size or colour scheme, downloads refused, an empty console."""
    driver.get("about:blank")
    driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": "file://", "storageTypes": "all"})
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "default"})
    driver.get_log("browser")


def page(tmp_path: Path, decks: dict[str, str] | None = None) -> tuple[Path, dict[str, Any]]:
    checked = checked_project(tmp_path / "p", decks)
    files, _ = render_exports(checked.project, checked.corpus, tmp_path / "dist", {"html"})
    path = tmp_path / "dist" / "selftest" / "index.html"
    path.parent.mkdir(parents=True)
    path.write_bytes(files[path])
    return path, page_data(path)


def page_data(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    return json.loads(text.split('<script type="application/json" id="data">')[1].split("</script>")[0])  # type: ignore[no-any-return]


def open_page(driver, path: Path, fresh: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Open the page (by default with no saved progress) with an empty console. Fresh: away from the
    page first (so that nothing it does on leaving comes after), everything saved under file:// cleared,
    then the page loaded once (the big page's load is the cost) and seen to start with nothing saved."""
    if fresh:
        driver.get("about:blank")
        driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": "file://", "storageTypes": "local_storage"})
    driver.get(path.as_uri())
    if fresh:  # nothing but the settings the page writes as it starts
        assert all(key.endswith(":settings") for key in driver.execute_script("return Object.keys(localStorage)"))
    driver.get_log("browser")


def severe(driver) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


# A click as a person makes it: Chromium's own mouse input (DevTools' Input.dispatchMouseEvent, so the
# page gets trusted events: the button pressed and released, which puts the pointer there too, hovering
# what chromedriver's click leaves hovered) at the centre of the element's first box where it is in view,
# after the checks a WebDriver click makes first: the element is scrolled into view when that centre is
# not in it, and the topmost element at that point must be the element or inside it (else the click
# would land on whatever covers it, e.g. the sticky score bar, and the test fails saying what is there).
# chromedriver's own click takes 55-65 ms of wall time and 70 ms of the browser's CPU for it (its scripts
# and checks, each a round trip); this is three round trips, about 20 ms.
CLICK_POINT = """
const [element] = arguments;
const at = () => {  // the in-view centre of the element's first box, and what is topmost there
    const box = element.getClientRects()[0];
    if (!box) return [null, null];
    const left = Math.max(box.left, 0), right = Math.min(box.right, innerWidth);
    const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, innerHeight);
    if (left >= right || top >= bottom) return [null, null];
    const point = [Math.floor((left + right) / 2), Math.floor((top + bottom) / 2)];
    return [point, document.elementFromPoint(...point)];
};
let [point, top] = at();
if (!point || !(top === element || element.contains(top))) {
    element.scrollIntoView({block: 'center', inline: 'nearest'});
    [point, top] = at();
}
if (point && (top === element || element.contains(top))) return point;
return point ? 'covered by ' + top.outerHTML.slice(0, 200) : 'not shown';"""


def click(driver, element: Any) -> None:  # type: ignore[no-untyped-def]
    """Click ``element`` with the mouse, as a person would (``CLICK_POINT``)."""
    point = driver.execute_script(CLICK_POINT, element)
    assert isinstance(point, list), f"cannot click {element.tag_name}#{element.get_attribute('id')}: {point}"
    x, y = point
    for kind in ("mousePressed", "mouseReleased"):
        driver.execute_cdp_cmd("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})


# What picking an option of a <select> does, in one round trip: the select focused, the option selected,
# then "input" and "change" sent from the select (as the browser sends them when a person picks from the
# list, and as selenium's Select does through chromedriver's option click, which is no mouse input
# either: a native list is not part of the page). Refuses a missing or disabled option.
CHOOSE = """
const [select, by, wanted] = arguments;
const option = [...select.options].find((o) => by === 'value' ? o.value === wanted : o.text === wanted);
if (!option || option.disabled || select.disabled) return false;
select.focus();
if (!option.selected) {
    option.selected = true;
    for (const type of ['input', 'change']) select.dispatchEvent(new Event(type, {bubbles: true}));
}
return true;"""


def choose(driver, select: Any, *, value: str | None = None, text: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Pick the option of ``select`` with this value, or with this text (``CHOOSE``)."""
    by, wanted = ("value", value) if value is not None else ("text", text)
    assert driver.execute_script(CHOOSE, select, by, wanted), f"no option with {by} {wanted!r} to choose"


def texts(driver, elements: list[Any], selector: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    """The rendered text (``innerText``, trimmed) of each element, or of the first node in it that
    ``selector`` finds, in one round trip (selenium's ``.text`` is one a node)."""
    return driver.execute_script(  # type: ignore[no-any-return]
        "return arguments[0].map((e) => (arguments[1] ? e.querySelector(arguments[1]) : e).innerText.trim())",
        elements, selector)


def fill(driver, scope: Any, item: dict[str, Any], right: bool) -> None:  # type: ignore[no-untyped-def]
    """Give an answer in one card's controls (``scope``), right or wrong, without checking it."""
    from selenium.webdriver.common.by import By

    if "choices" in item:
        labels = scope.find_elements(By.CSS_SELECTOR, "label.choice")
        shown = texts(driver, labels, "span")
        click(driver, next(label for label, text in zip(labels, shown, strict=True) if (text == item["answer"]) == right))
    elif item["type"] == "truefalse":
        said = item["answer"] if right else not item["answer"]
        click(driver, scope.find_element(By.CSS_SELECTOR, f'input[value="{"true" if said else "false"}"]'))
    elif item["type"] == "cloze":
        blanks = [p for p in item["parts"] if isinstance(p, dict)]
        for box, blank in zip(scope.find_elements(By.CSS_SELECTOR, "input[type=text]"), blanks, strict=True):
            box.send_keys(blank["answer"].upper() if right else "nothing like it")  # case does not count
    elif item["type"] in ("basic", "quote"):
        box = scope.find_element(By.CSS_SELECTOR, "textarea" if item.get("self") else "input[type=text]")
        box.send_keys(item["answer"] if right else "nothing like it")
    elif item["type"] == "order":
        if right:  # by numbering: each event, earliest first, given its number with the keyboard-usable select
            for index in range(len(item["events"])):
                choose(driver, scope.find_element(By.CSS_SELECTOR, f'li[data-index="{index}"] select'), value=str(index + 1))
        # wrong: left as shuffled, which is never the right order
    else:
        rights = [p["right"] for p in item["pairs"]]
        rows = scope.find_elements(By.CSS_SELECTOR, "tbody tr")
        for row, left in zip(rows, texts(driver, rows, "td"), strict=True):
            want = next(p["right"] for p in item["pairs"] if p["left"] == left)
            if not right:
                want = rights[(rights.index(want) + 1) % len(rights)]
            choose(driver, row.find_element(By.TAG_NAME, "select"), text=want)


def answer(driver, item: dict[str, Any], right: bool) -> Any:  # type: ignore[no-untyped-def]
    """Answer one item of the whole test, press Check (a self-graded one: Show answer, then mark
    it), return its card."""
    from selenium.webdriver.common.by import By

    card = driver.find_element(By.CSS_SELECTOR, f'#items .card[data-id="{item["id"]}"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", card)
    fill(driver, card, item, right)
    click(driver, card.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    if item.get("self"):
        click(driver, card.find_element(By.CSS_SELECTOR, ".had-it" if right else ".missed-it"))
    return card


def axe(driver, tag: str | None = None) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """axe-core's violations on the page as it is now: rule, impact, how many nodes, the first few.
    Every rule axe runs by default, or (``tag``) those of them tagged so, e.g. ``cat.color``."""
    if not AXE.exists():
        pytest.skip("needs axe-core: cd tests/js && npm ci (.ci/run does)")
    # Injected once a page (a global eval, as a script of its own would run), and sent only then (its
    # 600 KB cost 60 ms a call to send). Only the violations are listed node by node (passes and the
    # rest keep one node each), and the CSS selectors that name the nodes are worked out only when
    # there is a violation to name (a run again with them): the same violations for less of Chromium's
    # time.
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script("(0, eval)(arguments[0])", AXE.read_text(encoding="utf-8"))
    return driver.execute_async_script(AXE_RUN, tag)  # type: ignore[no-any-return]


def axe_rules(driver, tag: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The rules ``axe(driver, tag)`` runs (after a call to it on the page)."""
    return driver.execute_script(f"return ({AXE_RULES})(arguments[0])", tag)  # type: ignore[no-any-return]


AXE_RULES = "(tag) => axe._audit.rules.filter((rule) => rule.enabled && rule.tags.includes(tag)).map((rule) => rule.id)"
AXE_RUN = f"""
const [tag, done] = arguments;
const options = {{resultTypes: ['violations'], selectors: false}};
if (tag) options.runOnly = {{type: 'rule', values: ({AXE_RULES})(tag)}};
axe.run(document, options)
    .then((r) => r.violations.length ? axe.run(document, {{...options, selectors: true}}) : r)
    .then((r) => done(r.violations.map((v) => ({{id: v.id, impact: v.impact, nodes: v.nodes.length,
        where: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ': ' + n.failureSummary)}}))));"""


def keys(driver, *sent: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(*sent).perform()


def saved(driver, project: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Everything the page keeps in localStorage for the project, by key."""
    return driver.execute_script(  # type: ignore[no-any-return]
        "const out = {}; for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i);"
        " if (k.startsWith(`studydeck:${arguments[0]}:`)) out[k] = JSON.parse(localStorage.getItem(k)); }"
        " return out;", project)


def store(driver, project: str, key: str, value: Any) -> None:  # type: ignore[no-untyped-def]
    """Save a value (as JSON; a str as it is) under the project's key, as the page would."""
    text = value if isinstance(value, str) else json.dumps(value)
    driver.execute_script("localStorage.setItem(arguments[0], arguments[1])", f"studydeck:{project}:{key}", text)


def review_card(due: int, last: int, reps: int, s: float = 5.0, d: float = 5.0) -> dict[str, Any]:
    """A card's saved state in review (FSRS state 2), due at ``due`` (ms)."""
    return {"state": 2, "step": 0, "s": s, "d": d, "due": due, "last": last, "reps": reps, "lapses": 0}


def study_card(driver, data: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    node = driver.find_element(By.CSS_SELECTOR, "#study-card .card")
    item_id = node.get_attribute("data-id")
    return node, next((i for i in data["items"] if i["id"] == item_id), None)


def answer_by_keyboard(driver, data: dict[str, Any], right: bool) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Answer the session's card with keys: a letter (or T/F) for a choice, typing for a typed
    answer, Enter to check, Y/N to self-grade. Returns the item."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    node, item = study_card(driver, data)
    assert item is not None
    assert driver.switch_to.active_element.get_attribute("id") == f"s-q-{item['id']}"  # focus on the new card
    if "choices" in item or item["type"] == "truefalse":
        for label in node.find_elements(By.CSS_SELECTOR, "label.choice"):
            text = label.find_element(By.CSS_SELECTOR, "span").text
            good = text == item["answer"] if "choices" in item else (text == "True") is item["answer"]
            if good is right:
                keys(driver, label.find_element(By.TAG_NAME, "kbd").text.lower())
                break
        keys(driver, Keys.ENTER)
    elif item["type"] in ("basic", "quote", "cloze"):
        fill(driver, node, item, right)
        keys(driver, Keys.TAB, Keys.ENTER) if item.get("self") else keys(driver, Keys.ENTER)
    else:  # order and match: the keyboard-usable selects, then Enter from the card
        fill(driver, node, item, right)
        driver.execute_script("arguments[0].focus()", node.find_element(By.CSS_SELECTOR, ".prompt"))
        keys(driver, Keys.ENTER)
    verdict = driver.switch_to.active_element
    assert "verdict" in verdict.get_attribute("class").split(), "focus moves to the verdict after Check"
    if item.get("self"):
        keys(driver, "y" if right else "n")
        verdict = driver.switch_to.active_element
    said = verdict.text
    assert said.startswith("\u2713" if right else "\u2717"), (item["id"], said)  # an icon and words, not colour alone
    assert driver.find_element(By.ID, "announce").get_attribute("textContent").startswith(said)  # and read out (aria-live)
    return item
