"""The self-test page in each mode and state, light and dark, 420 and 1000 px wide: axe-core (pinned
in tests/js, injected into Chromium) finds no serious or critical violation (colour contrast of
4.5:1 among its rules) in any of them, nothing is wider than the screen, and a screenshot of each
lands under tmp_path (and in $STUDYDECK_SHOTS when set, with axe's findings as axe-light.json and
axe-dark.json) for a person to look at. One test per colour scheme and width, so that xdist's
workers share the four walks."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .selftesttools import (
    DAY,
    NEEDS_CHROMIUM,
    answer,
    answer_by_keyboard,
    axe,
    keys,
    open_page,
    page,
    review_card,
    severe,
    store,
)

pytestmark = NEEDS_CHROMIUM


def states(driver, path: Path, data: dict[str, Any]) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Walk the page through its modes and states, yielding each state's name once it shows."""
    from selenium.webdriver.common.by import By

    open_page(driver, path)
    yield "test-start"
    picks = [next(i for i in data["items"] if i["type"] == t and not i.get("self"))
             for t in ("mcq", "match", "order", "cloze")]
    picks.append(next(i for i in data["items"] if i.get("self")))
    for n, item in enumerate(picks):
        answer(driver, item, n % 2 == 0)
    first = driver.find_element(By.CSS_SELECTOR, f'#items .card[data-id="{picks[0]["id"]}"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", first)
    yield "test-answered"
    driver.execute_script("document.getElementById('summary').scrollIntoView({block: 'start'})")
    yield "test-summary"
    button = driver.find_element(By.XPATH, "//div[@id='items']//button[text()='Show in source']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    yield "source-dialog"
    driver.find_element(By.ID, "source-close").click()
    # a session with two reviews due (a self-graded item first) and a daily limit of one new card
    project = data["project"]
    now = driver.execute_script("return Date.now()")
    due = [next(i for i in data["items"] if i.get("self")), next(i for i in data["items"] if "choices" in i)]
    for n, item in enumerate(due):
        store(driver, project, f"card:{item['id']}", review_card(now - (2 - n) * DAY, now - 5 * DAY, 3, s=4.0, d=6.0))
    store(driver, project, "settings", {"newPerDay": 1, "day": 0, "newSeen": 0, "mode": "session"})
    driver.refresh()
    yield "session-card"
    driver.find_element(By.CSS_SELECTOR, "#study-card textarea").send_keys("The government's promise of safety")
    driver.find_element(By.CSS_SELECTOR, "#study-card button[type=submit]").click()
    yield "session-self-graded"
    keys(driver, "n")
    yield "session-rate"
    keys(driver, "3")  # reviews rated past Again, so that no learning step comes back within the session
    answer_by_keyboard(driver, data, False)
    keys(driver, "2")
    answer_by_keyboard(driver, data, True)
    keys(driver, "4")
    yield "session-done"
    driver.find_element(By.CSS_SELECTOR, ".progress-tools summary").click()
    driver.find_element(By.ID, "export-progress").click()
    yield "session-tools"
    driver.find_element(By.ID, "reset-progress").click()
    yield "reset-dialog"
    driver.find_element(By.ID, "reset-cancel").click()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict[str, Any]]:  # type: ignore[no-untyped-def]
    return page(tmp_path_factory.mktemp("views"))


@pytest.mark.parametrize("width", [420, 1000])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_state_accessible_and_pictured(browser, built, tmp_path, scheme: str, width: int) -> None:
    path, data = built
    shots = tmp_path / "shots"
    shots.mkdir()
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path / "downloads")})
    found: dict[str, list[dict[str, Any]]] = {}
    names = []
    features = [{"name": "prefers-color-scheme", "value": scheme}]
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": features})
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 500})
    for state in states(browser, path, data):
        dark = browser.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches")
        assert dark is (scheme == "dark")
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width, state
        name = f"{state}-{width}-{scheme}"
        browser.save_screenshot(str(shots / f"{name}.png"))
        names.append(name)
        if width == 1000:
            found[f"{state}-{scheme}"] = axe(browser)
    assert severe(browser) == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0  # no request
    assert len(list(shots.glob("*.png"))) == len(set(names)) == len(names) == 10
    assert len(found) == (10 if width == 1000 else 0)
    if found:
        (shots / f"axe-{scheme}.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    if os.environ.get("STUDYDECK_SHOTS"):  # for a person to look at
        shutil.copytree(shots, os.environ["STUDYDECK_SHOTS"], dirs_exist_ok=True)
    serious = {state: [v for v in violations if v["impact"] in ("serious", "critical")]
               for state, violations in found.items()}
    assert not any(serious.values()), json.dumps(serious, indent=1)
    assert sum(v["nodes"] for violations in found.values() for v in violations) == 0, json.dumps(found, indent=1)
