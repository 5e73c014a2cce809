"""Studying with the self-test page in Chromium: a session answered by keyboard alone (a key for each
answer and each rating), its review state saved under the project and item ids and kept on reload,
due reviews before new cards within the daily limit, progress exported, reset and imported back,
damaged or foreign progress refused with a message; the whole test's sticky score and summary."""

from __future__ import annotations

import json
import time

from .selftesttools import (
    DAY,
    NEEDS_CHROMIUM,
    answer,
    answer_by_keyboard,
    choose,
    click,
    keys,
    open_page,
    review_card,
    saved,
    severe,
    store,
    study_card,
)

pytestmark = NEEDS_CHROMIUM


def test_session_by_keyboard_saved_and_kept_on_reload(browser, bank_page, tmp_path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    path, data = bank_page
    open_page(browser, path)
    click(browser, browser.find_element(By.ID, "mode-session"))
    click(browser, browser.find_element(By.CSS_SELECTOR, ".progress-tools summary"))
    limit = browser.find_element(By.ID, "new-limit")
    limit.clear()
    limit.send_keys("6", Keys.ENTER)
    browser.execute_script("document.querySelector('#study-card .prompt').focus()")
    rated: dict[str, int] = {}
    for n in range(6):
        right = n % 3 != 2
        item = answer_by_keyboard(browser, data, right)
        ratings = browser.find_elements(By.CSS_SELECTOR, ".ratings button")
        assert [b.find_element(By.CSS_SELECTOR, ".name").text for b in ratings] == ["Again", "Hard", "Good", "Easy"]
        suggested = browser.find_element(By.CSS_SELECTOR, ".ratings .suggested .name").text
        assert suggested == ("Good" if right else "Again")  # a wrong answer is Again by default
        rated[item["id"]] = 1 if not right else (3 if n % 2 == 0 else 4)
        keys(browser, Keys.ENTER if not right or rated[item["id"]] == 3 else "4")
    state = saved(browser, data["project"])
    cards = {k.rsplit(":", 1)[1]: v for k, v in state.items() if ":card:" in k}
    assert set(cards) == set(rated)
    for item_id, rating in rated.items():
        assert cards[item_id]["reps"] == 1
        assert cards[item_id]["state"] == (2 if rating == 4 else 1)  # Easy graduates; Again and Good are learning steps
        waited = cards[item_id]["due"] - cards[item_id]["last"]
        assert waited == {1: 60_000, 3: 600_000}.get(rating, waited)  # 1 and 10 minutes (FSRS-6 default steps)
    assert state[f"studydeck:{data['project']}:settings"]["newSeen"] == 6
    # The again-rated cards come back within the learn-ahead window; with no new cards left, a reload shows them.
    browser.refresh()
    assert browser.find_element(By.ID, "mode-session").get_attribute("aria-pressed") == "true"
    assert saved(browser, data["project"]) == state
    node, item = study_card(browser, data)
    assert item is not None and item["id"] in rated and rated[item["id"]] in (1, 3)
    assert node.find_element(By.CSS_SELECTOR, ".queue-kind").get_attribute("textContent") == "Review"
    assert "New left today: 0 of 6" in browser.find_element(By.ID, "score").text
    # A later build rewords the item: its id keys its history, which it keeps.
    reworded = tmp_path / "reworded.html"
    reworded.write_text(path.read_text(encoding="utf-8").replace(json.dumps(item["prompt"])[1:-1], "Reworded: who?", 1),
                        encoding="utf-8")
    browser.get(reworded.as_uri())
    node, again = study_card(browser, data)
    assert again == item and node.find_element(By.CSS_SELECTOR, ".prompt").text == "Reworded: who?"
    assert node.find_element(By.CSS_SELECTOR, ".queue-kind").get_attribute("textContent") == "Review"
    assert severe(browser) == []


def test_a_fresh_page_keeps_nothing_saved_before(browser, bank_page) -> None:
    """``open_page`` clears what an earlier visit saved (every test opens the page fresh this way)."""
    path, data = bank_page
    open_page(browser, path)
    item = data["items"][0]
    store(browser, data["project"], f"card:{item['id']}", review_card(0, 0, 3))
    store(browser, data["project"], "settings", {"newPerDay": 3, "day": 0, "newSeen": 2, "mode": "session"})
    open_page(browser, path, fresh=False)
    assert len(saved(browser, data["project"])) == 2  # kept across a reload
    open_page(browser, path)
    state = saved(browser, data["project"])
    assert not any(":card:" in key for key in state)
    assert all(value != {"newPerDay": 3, "day": 0, "newSeen": 2, "mode": "session"} for value in state.values())


def test_due_reviews_first_then_new_within_the_daily_limit(browser, bank_page) -> None:
    from selenium.webdriver.common.by import By

    path, data = bank_page
    open_page(browser, path)
    project, late, early = data["project"], data["items"][40], data["items"][30]
    now = browser.execute_script("return Date.now()")
    for item, overdue in ((late, 1), (early, 3)):
        store(browser, project, f"card:{item['id']}", review_card(now - overdue * DAY, now - 6 * DAY, 2))
    store(browser, project, "settings", {"newPerDay": 1, "day": 0, "newSeen": 0, "mode": "session"})
    browser.refresh()
    seen = []
    for _ in range(3):
        node, item = study_card(browser, data)
        assert item is not None
        seen.append((item["id"], node.find_element(By.CSS_SELECTOR, ".queue-kind").get_attribute("textContent")))
        answer_by_keyboard(browser, data, True)
        keys(browser, "3" if len(seen) < 3 else "4")  # the new card rated Easy: no learning step left to come back
    assert seen == [(early["id"], "Review"), (late["id"], "Review"), (data["items"][0]["id"], "New card")]
    assert browser.find_element(By.ID, "study-done").text == "Nothing more to study now."
    assert "today's limit of 1 is reached" in browser.find_element(By.ID, "study-card").text
    reviewed = saved(browser, project)[f"studydeck:{project}:card:{early['id']}"]
    assert reviewed["reps"] == 3 and reviewed["state"] == 2 and reviewed["due"] > now + DAY  # scheduled days ahead


def test_export_reset_import_and_refusals(browser, bank_page, tmp_path) -> None:
    from selenium.webdriver.common.by import By

    path, data = bank_page
    project = data["project"]
    open_page(browser, path)
    click(browser, browser.find_element(By.ID, "mode-session"))
    for _ in range(3):
        answer_by_keyboard(browser, data, True)
        keys(browser, "3")
    before = saved(browser, project)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    click(browser, browser.find_element(By.CSS_SELECTOR, ".progress-tools summary"))
    click(browser, browser.find_element(By.ID, "export-progress"))
    exported = downloads / f"{project}-progress.json"
    for _ in range(100):
        if exported.exists() and exported.stat().st_size:
            break
        time.sleep(0.1)
    content = json.loads(exported.read_text(encoding="utf-8"))
    assert content["format"] == "studydeck-progress" and content["project"] == project and len(content["cards"]) == 3
    click(browser, browser.find_element(By.ID, "reset-progress"))
    assert "3 items" in browser.find_element(By.ID, "reset-text").text
    click(browser, browser.find_element(By.ID, "reset-confirm"))
    assert [k for k in saved(browser, project) if ":card:" in k] == []
    assert browser.find_element(By.CSS_SELECTOR, "#study-card .queue-kind").get_attribute("textContent") == "New card"

    def load(name: str, text: str) -> str:
        file = tmp_path / name
        file.write_text(text, encoding="utf-8")
        browser.find_element(By.ID, "import-progress").send_keys(str(file))
        for _ in range(50):
            said = browser.find_element(By.ID, "progress-message").text
            if said.startswith(("Imported", "Not imported")):
                break
            time.sleep(0.1)
        browser.execute_script("document.getElementById('progress-message').textContent = ''")
        return str(said)

    damaged = {**content, "cards": {**content["cards"], "x": {"state": 9}}}
    refusals = {"not-json.json": ("{oops", "not JSON"),
                "other.json": (json.dumps({"format": "anki"}), "not a studydeck progress file"),
                "foreign.json": (json.dumps({**content, "project": "another-collection"}), "another collection"),
                "damaged.json": (json.dumps(damaged), "damaged")}
    for name, (text, why) in refusals.items():
        said = load(name, text)
        assert said.startswith("Not imported") and why in said, said
        assert [k for k in saved(browser, project) if ":card:" in k] == []  # nothing half-imported
    said = load("mine.json", exported.read_text(encoding="utf-8"))
    assert said == "Imported the progress of 3 items.", said
    after = saved(browser, project)
    assert {k: v for k, v in after.items() if ":card:" in k} == {k: v for k, v in before.items() if ":card:" in k}
    assert severe(browser) == []


def test_unreadable_saved_progress_is_left_out_with_a_message(browser, bank_page) -> None:
    from selenium.webdriver.common.by import By
    path, data = bank_page
    project = data["project"]
    open_page(browser, path)
    good = {"state": 1, "step": 0, "s": 2.3, "d": 2.1, "due": 1, "last": 1, "reps": 1, "lapses": 0}
    for key, value in {"card:a": "{not json", "card:b": {**good, "s": "NaN"}, "settings": "[]",
                       f"card:{data['items'][5]['id']}": good}.items():
        store(browser, project, key, value)
    store(browser, "other-project", "card:a", "{}")  # another page's: not ours to judge
    browser.refresh()
    said = browser.find_element(By.ID, "progress-message").get_attribute("textContent")
    assert said == "3 saved records were unreadable and were left out."
    click(browser, browser.find_element(By.ID, "mode-session"))
    node, item = study_card(browser, data)
    assert item == data["items"][5]
    assert node.find_element(By.CSS_SELECTOR, ".queue-kind").get_attribute("textContent") == "Review"
    other = "mcq" if item["type"] != "mcq" else "truefalse"
    choose(browser, browser.find_element(By.ID, "type-filter"), value=other)  # the filters choose the queue
    node, item = study_card(browser, data)
    assert item is not None and item["type"] == other
    assert node.find_element(By.CSS_SELECTOR, ".queue-kind").get_attribute("textContent") == "New card"
    assert severe(browser) == []


def test_whole_test_score_stays_in_view_and_summary_at_the_end(browser, bank_page) -> None:
    from selenium.webdriver.common.by import By

    path, data = bank_page
    open_page(browser, path)
    mcqs = [i for i in data["items"] if i["type"] == "mcq"][:3]
    tfs = [i for i in data["items"] if i["type"] == "truefalse"][:2]
    for n, item in enumerate(mcqs + tfs):
        answer(browser, item, n != 1)
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    score = browser.find_element(By.ID, "score")
    assert 0 <= score.rect["y"] - browser.execute_script("return window.scrollY") < 120  # sticky: still at the top
    assert score.text.startswith("Score: 4 of 5 answered")
    summary = browser.find_element(By.ID, "summary")
    rows = {r.find_element(By.TAG_NAME, "th").text: [c.text for c in r.find_elements(By.TAG_NAME, "td")]
            for r in summary.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert rows["Multiple choice"] == ["2", "3", str(sum(i["type"] == "mcq" for i in data["items"]))]
    assert rows["True or false"] == ["2", "2", str(sum(i["type"] == "truefalse" for i in data["items"]))]
    decks = {data["decks"][i["deck"]]["name"] for i in mcqs + tfs}
    assert sum(int(rows[d][1]) for d in decks) == 5
    review = summary.find_elements(By.CSS_SELECTOR, "#summary-review button")
    assert [b.text for b in review] == [mcqs[1]["prompt"]]
    click(browser, review[0])
    assert browser.switch_to.active_element.get_attribute("id") == f"q-{mcqs[1]['id']}"
