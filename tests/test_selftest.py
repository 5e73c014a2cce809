"""The self-test page as a student meets it: Debian's headless Chromium, driven by selenium through
the system chromedriver (no browser download), opens the file from disk; one item of every type
is answered right and one wrong, and the marking, the excerpt, the citation and the "show in
source" view are read off the page. Markup in an item stays text; nothing is fetched; screenshots
at 420 and 1000 px, light and dark, land under tmp_path (and in $STUDYDECK_SHOTS when set)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.export import render_exports

from .exporttools import EXPORT_PAYLOAD, checked_project, hostile_deck

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)",
)
TYPES = ("basic", "mcq", "truefalse", "cloze", "order", "match", "quote", "claims")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):  # type: ignore[no-untyped-def]
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # selenium never fetches a driver or a browser
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1000,900",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    yield driver
    driver.quit()


def page(tmp_path: Path, decks: dict[str, str] | None = None) -> tuple[Path, dict[str, Any]]:
    checked = checked_project(tmp_path / "p", decks)
    files, _ = render_exports(checked.project, checked.corpus, tmp_path / "dist", {"html"})
    path = tmp_path / "dist" / "selftest" / "index.html"
    path.parent.mkdir(parents=True)
    path.write_bytes(files[path])
    text = files[path].decode()
    data = json.loads(text.split('<script type="application/json" id="data">')[1].split("</script>")[0])
    return path, data


def open_page(driver, path: Path) -> None:  # type: ignore[no-untyped-def]
    driver.get(path.as_uri())
    driver.get_log("browser")  # start each page with an empty console


def answer(driver, item: dict[str, Any], right: bool) -> Any:  # type: ignore[no-untyped-def]
    """Answer one item through the page's controls, press Check, return its card."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    card = driver.find_element(By.CSS_SELECTOR, f'.card[data-id="{item["id"]}"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", card)
    if "choices" in item:
        for label in card.find_elements(By.CSS_SELECTOR, "label.choice"):
            if (label.text == item["answer"]) == right:
                label.click()
                break
    elif item["type"] == "truefalse":
        said = item["answer"] if right else not item["answer"]
        card.find_element(By.CSS_SELECTOR, f'input[value="{"true" if said else "false"}"]').click()
    elif item["type"] == "cloze":
        blanks = [p for p in item["parts"] if isinstance(p, dict)]
        for box, blank in zip(card.find_elements(By.CSS_SELECTOR, "input[type=text]"), blanks, strict=True):
            box.send_keys(blank["answer"].upper() if right else "nothing like it")  # case does not count
    elif "accept" in item:
        card.find_element(By.CSS_SELECTOR, "input[type=text]").send_keys(item["answer"] if right else "nothing like it")
    elif item["type"] == "order":
        if right:  # by numbering: each event, earliest first, given its number with the keyboard-usable select
            for index in range(len(item["events"])):
                row = card.find_element(By.CSS_SELECTOR, f'li[data-index="{index}"]')
                Select(row.find_element(By.TAG_NAME, "select")).select_by_value(str(index + 1))
        # wrong: left as shuffled, which is never the right order
    else:
        rows = card.find_elements(By.CSS_SELECTOR, "tbody tr")
        rights = [p["right"] for p in item["pairs"]]
        for row in rows:
            left = row.find_element(By.TAG_NAME, "td").text
            want = next(p["right"] for p in item["pairs"] if p["left"] == left)
            if not right:
                want = rights[(rights.index(want) + 1) % len(rights)]
            Select(row.find_element(By.TAG_NAME, "select")).select_by_visible_text(want)
    card.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    return card


def test_every_type_marked_right_and_wrong_with_source_and_citation(browser, tmp_path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    path, data = page(tmp_path)
    chosen = [next(i for i in data["items"] if i["type"] == t and (t != "quote" or "choices" in i)) for t in TYPES]
    for right in (True, False):
        open_page(browser, path)
        for item in chosen:
            card = answer(browser, item, right)
            verdict = card.find_element(By.CSS_SELECTOR, ".verdict").text
            assert verdict.startswith("\u2713" if right else "\u2717"), (item["id"], verdict)
            assert ("right" if right else "wrong") in card.get_attribute("class").split()
            shown = [e.text for e in card.find_elements(By.CSS_SELECTOR, ".excerpt")]
            cites = [e.text for e in card.find_elements(By.CSS_SELECTOR, ".result .cite")]
            assert shown == [s["excerpt"] for s in item["sources"]] and cites == [s["cite"] for s in item["sources"]]
            assert all(c.endswith(("(reference)", "(opinion piece)", "(news digest)")) for c in cites)
        score = browser.find_element(By.ID, "score").text
        assert score.startswith(f"Score: {len(chosen) if right else 0} of {len(chosen)} answered"), score
    # "show in source": the source text in a dialog, the excerpt marked in context; Escape closes it
    item = chosen[0]
    card = browser.find_element(By.CSS_SELECTOR, f'.card[data-id="{item["id"]}"]')
    card.find_element(By.XPATH, ".//button[text()='Show in source']").click()
    dialog = browser.find_element(By.ID, "source-view")
    assert dialog.get_attribute("open") is not None
    source = item["sources"][0]
    doc = data["docs"][source["doc"]]
    mark = dialog.find_element(By.TAG_NAME, "mark")
    assert mark.text == " ".join(doc["text"][source["start"]:source["end"]].split())
    assert " ".join(mark.text.split()) == " ".join(source["excerpt"].split())
    assert len(dialog.find_element(By.ID, "source-text").get_attribute("textContent")) == len(doc["text"])
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert dialog.get_attribute("open") is None
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0  # nothing fetched
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []  # no CSP violation, no error


def test_order_by_dragging_and_self_marking(browser, tmp_path) -> None:
    from selenium.webdriver.common.by import By

    path, data = page(tmp_path)
    open_page(browser, path)
    item = next(i for i in data["items"] if i["type"] == "order")
    card = browser.find_element(By.CSS_SELECTOR, f'.card[data-id="{item["id"]}"]')
    # The browser's own drag events (dragstart, dragover at a row's top edge, dragend), earliest event last to first.
    browser.execute_script("""
        const list = arguments[0].querySelector('ol.order');
        const fire = (node, type, y) => node.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true,
            clientY: y, dataTransfer: new DataTransfer()}));
        for (let index = 0; index < arguments[1]; index++) {
            const row = list.querySelector(`li[data-index="${index}"]`);
            const target = list.children[index];
            fire(row, 'dragstart', 0);
            if (target !== row) fire(target, 'dragover', target.getBoundingClientRect().top + 1);
            fire(row, 'dragend', 0);
        }""", card, len(item["events"]))
    numbers = [s.get_attribute("value") for s in card.find_elements(By.CSS_SELECTOR, "li select")]
    assert numbers == [str(n) for n in range(1, len(item["events"]) + 1)]  # renumbered after the drags
    card.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    assert card.find_element(By.CSS_SELECTOR, ".verdict").text.startswith("\u2713")
    basic = next(i for i in data["items"] if i["type"] == "basic")
    card = answer(browser, basic, right=False)
    card.find_element(By.XPATH, ".//button[starts-with(text(), 'I meant that')]").click()
    assert card.find_element(By.CSS_SELECTOR, ".verdict").text == "\u2713 Counted as right"


def test_markup_in_items_stays_text(browser, tmp_path) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    path, data = page(tmp_path, {"hostile.yaml": hostile_deck()})
    open_page(browser, path)
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 2  # the data block and the page's own script
    assert browser.find_elements(By.CSS_SELECTOR, "main img, main iframe, main a") == []
    prompt = browser.find_element(By.ID, "q-h-basic").get_attribute("textContent")
    assert prompt == EXPORT_PAYLOAD
    for item in data["items"]:
        answer(browser, item, right=True)
    assert browser.find_elements(By.CSS_SELECTOR, "main img, main iframe, main a") == []
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_screenshots_phone_and_desktop_light_and_dark(browser, tmp_path) -> None:
    from selenium.webdriver.common.by import By

    path, data = page(tmp_path)
    shots = tmp_path / "shots"
    shots.mkdir()
    for scheme in ("light", "dark"):
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                                {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
        for width in (420, 1000):
            browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 500})
            open_page(browser, path)
            body = browser.find_element(By.TAG_NAME, "body")
            assert body.size["width"] <= width  # nothing wider than the screen
            answered = [answer(browser, next(i for i in data["items"] if i["type"] == t), right=t != "match")
                        for t in ("mcq", "match", "order")]
            dark = browser.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches")
            assert dark is (scheme == "dark")
            background = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
            assert (background == "rgb(22, 23, 26)") is (scheme == "dark")
            assert browser.execute_script("return document.documentElement.scrollWidth") <= width
            browser.execute_script("window.scrollTo(0, 0)")
            browser.save_screenshot(str(shots / f"selftest-{width}-{scheme}.png"))
            for name, card in zip(("mcq", "match-wrong", "order"), answered, strict=True):
                browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", card)
                browser.save_screenshot(str(shots / f"selftest-{width}-{scheme}-{name}.png"))
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert len(list(shots.glob("*.png"))) == 16
    if os.environ.get("STUDYDECK_SHOTS"):  # for a person to look at
        shutil.copytree(shots, os.environ["STUDYDECK_SHOTS"], dirs_exist_ok=True)


def test_page_data_is_ascii_json_and_keeps_every_character(tmp_path) -> None:
    """The page's data is written as ASCII JSON (one byte a character in memory while a big page
    is made); the characters themselves come back intact: curly quotes, dashes, accents."""
    path, data = page(tmp_path)
    block = path.read_text(encoding="utf-8").split('<script type="application/json" id="data">')[1]
    block = block.split("</script>")[0]
    assert block.isascii()
    texts = [doc["text"] for doc in data["docs"].values()]
    texts += [s["excerpt"] for item in data["items"] for s in item["sources"]]
    assert any(not t.isascii() for t in texts)  # the seeds do hold such characters
    checked = checked_project(tmp_path / "again", None)
    for item in data["items"][:40]:
        for source in item["sources"]:
            assert source["excerpt"] == checked.corpus.shown(source["doc"], source["excerpt"]).text
