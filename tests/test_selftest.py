"""The self-test page as a student meets it: Debian's headless Chromium, driven by selenium through
the system chromedriver (no browser download), opens the file from disk; one item of every type
is answered right and one wrong, and the marking, the excerpt, the citation and the "show in
source" view are read off the page. Markup in an item stays text; nothing is fetched; screenshots
at 420 and 1000 px, light and dark, land under tmp_path (and in $STUDYDECK_SHOTS when set)."""

from __future__ import annotations

import pytest

from generator.normalise import ESCAPING_BACKSLASH

from .exporttools import EXPORT_PAYLOAD, checked_project, hostile_deck
from .selftesttools import NEEDS_CHROMIUM, TYPES, answer, click, fill, open_page, page

pytestmark = NEEDS_CHROMIUM


def test_every_type_marked_right_and_wrong_with_source_and_citation(browser, bank_page) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    path, data = bank_page
    chosen = [next(i for i in data["items"] if i["type"] == t and (t != "quote" or "choices" in i) and not i.get("self"))
              for t in TYPES]
    chosen.append(next(i for i in data["items"] if i["type"] == "basic" and i.get("self")))  # a longer answer
    for right in (True, False):
        open_page(browser, path)
        for item in chosen:
            card = answer(browser, item, right)
            verdict = card.find_element(By.CSS_SELECTOR, ".verdict").text
            assert verdict.startswith("\u2713" if right else "\u2717"), (item["id"], verdict)
            assert verdict.endswith("(self-graded)") is bool(item.get("self"))
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
    button = card.find_element(By.XPATH, ".//button[text()='Show in source']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    click(browser, button)
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
    # the token-style article escapes its brackets ("Masjid \\( mosque \\) Road"): shown without the backslashes
    escaped = "\\(", "\\)"
    article = next(d for d in data["docs"].values() if "Masjid ( mosque ) Road" in d["text"])
    assert not any(e in d["text"] for d in data["docs"].values() for e in escaped)
    assert not any(e in s["excerpt"] for i in data["items"] for s in i["sources"] for e in escaped)
    bracketed = next(i for i in data["items"] for s in i["sources"]
                     if "(" in s["excerpt"] and data["docs"][s["doc"]] is article and i not in chosen)
    card = browser.find_element(By.CSS_SELECTOR, f'#items .card[data-id="{bracketed["id"]}"]')
    source = next(s for s in bracketed["sources"] if data["docs"][s["doc"]] is article)
    answer(browser, bracketed, True)
    buttons = card.find_elements(By.XPATH, ".//button[text()='Show in source']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", buttons[bracketed["sources"].index(source)])
    click(browser, buttons[bracketed["sources"].index(source)])
    assert " ".join(dialog.find_element(By.TAG_NAME, "mark").text.split()) == " ".join(source["excerpt"].split())
    assert "\\" not in dialog.find_element(By.ID, "source-text").get_attribute("textContent")
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0  # nothing fetched
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []  # no CSP violation, no error


def test_order_by_dragging_and_self_marking(browser, bank_page) -> None:
    from selenium.webdriver.common.by import By

    path, data = bank_page
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
    click(browser, card.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert card.find_element(By.CSS_SELECTOR, ".verdict").text.startswith("\u2713")
    basic = next(i for i in data["items"] if i["type"] == "basic" and not i.get("self"))
    card = answer(browser, basic, right=False)
    click(browser, card.find_element(By.XPATH, ".//button[starts-with(text(), 'I meant that')]"))
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
    click(browser, browser.find_element(By.ID, "mode-session"))  # a study session shows the same text as text
    for _ in range(3):
        node = browser.find_element(By.CSS_SELECTOR, "#study-card .card")
        item = next(i for i in data["items"] if i["id"] == node.get_attribute("data-id"))
        assert node.find_element(By.CSS_SELECTOR, ".prompt").get_attribute("textContent") == item["prompt"]
        fill(browser, node, item, True)
        click(browser, node.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        if item.get("self"):
            click(browser, node.find_element(By.CSS_SELECTOR, ".had-it"))
        click(browser, node.find_element(By.CSS_SELECTOR, ".ratings [data-rating='4']"))
    assert browser.find_elements(By.CSS_SELECTOR, "main img, main iframe, main a") == []
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_page_data_is_ascii_json_and_keeps_every_character(bank_page, tmp_path) -> None:
    """The page's data is written as ASCII JSON (one byte a character in memory while a big page
    is made); the characters themselves come back intact: curly quotes, dashes, accents."""
    path, data = bank_page
    block = path.read_text(encoding="utf-8").split('<script type="application/json" id="data">')[1]
    block = block.split("</script>")[0]
    assert block.isascii()
    texts = [doc["text"] for doc in data["docs"].values()]
    texts += [s["excerpt"] for item in data["items"] for s in item["sources"]]
    assert any(not t.isascii() for t in texts)  # the seeds do hold such characters
    checked = checked_project(tmp_path / "again", None)
    for item in data["items"][:40]:
        for source in item["sources"]:
            shown = checked.corpus.shown(source["doc"], source["excerpt"]).text
            assert source["excerpt"] == ESCAPING_BACKSLASH.sub("", shown)  # as written, less the escaping backslashes
