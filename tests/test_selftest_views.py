"""The self-test page in each mode and state, light and dark, 420 and 1000 px wide: axe-core (pinned
in tests/js, injected into Chromium) finds no serious or critical violation (colour contrast of
4.5:1 among its rules) in any of them, nothing is wider than the screen, and a screenshot of each
lands under tmp_path (and in $STUDYDECK_SHOTS when set, with axe's findings as axe-light.json and
axe-dark.json) for a person to look at. One walk per width, each state seen in both schemes, so
that xdist's workers share the two walks."""

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
    axe_rules,
    choose,
    click,
    keys,
    open_page,
    review_card,
    severe,
    store,
    texts,
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
    click(driver, button)
    yield "source-dialog"
    click(driver, driver.find_element(By.ID, "source-close"))
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
    click(driver, driver.find_element(By.CSS_SELECTOR, "#study-card button[type=submit]"))
    yield "session-self-graded"
    keys(driver, "n")
    yield "session-rate"
    keys(driver, "3")  # reviews rated past Again, so that no learning step comes back within the session
    answer_by_keyboard(driver, data, False)
    keys(driver, "2")
    answer_by_keyboard(driver, data, True)
    keys(driver, "4")
    yield "session-done"
    click(driver, driver.find_element(By.CSS_SELECTOR, ".progress-tools summary"))
    click(driver, driver.find_element(By.ID, "export-progress"))
    yield "session-tools"
    click(driver, driver.find_element(By.ID, "reset-progress"))
    yield "reset-dialog"
    click(driver, driver.find_element(By.ID, "reset-cancel"))


# Only colours may tell the schemes apart: the dark block of the stylesheet sets custom properties, each
# a colour in both schemes, and nothing else (no script asks for the scheme).
SCHEME_SETS_COLOURS_ONLY = """
const dark = [...document.styleSheets].flatMap((sheet) => [...sheet.cssRules])
    .filter((rule) => rule.media && rule.conditionText.includes('prefers-color-scheme'));
const out = [];
for (const block of dark) for (const rule of block.cssRules) for (const name of rule.style) {
    const root = getComputedStyle(document.documentElement);
    out.push([rule.selectorText, name, CSS.supports('color', rule.style.getPropertyValue(name).trim()),
              CSS.supports('color', root.getPropertyValue(name).trim())]);
}
return [dark.length, out];"""

# The page as it stands, compared with the last call (what differs first, or None): its markup, every
# element's box, where it is scrolled and what has focus, and of each element's backgrounds (its own,
# its ::before's and its ::after's) how opaque each is and which are the same colour (each colour named
# by the order in which it first appears). Equal in both schemes at a state, the walk's clicks and keys
# meet the same page in each, and every axe rule outside "cat.color" (color-contrast,
# link-in-text-block), which reads a colour only for whether a background is opaque or the same as
# another, finds the same in each. (Text colours are left out: only those two rules read them, and in
# light a marked excerpt's text is the page's text colour.)
LAID_OUT = """
const parts = [document.documentElement.outerHTML, scrollX, scrollY, document.activeElement && document.activeElement.id];
const named = new Map();
const name = (colour) => {
    if (!named.has(colour)) named.set(colour, named.size);
    return `${named.get(colour)}/${colour.startsWith('rgba(') ? colour.split(',')[3] : 1}`;
};
const nodes = [...document.getElementsByTagName('*')];
for (const node of nodes) {
    const box = node.getBoundingClientRect();
    const backgrounds = [null, '::before', '::after'].map((pseudo) => name(getComputedStyle(node, pseudo).backgroundColor));
    parts.push(`${box.x},${box.y},${box.width},${box.height} ${backgrounds.join(' ')}`);
}
// against the page as the last call saw it: the first part that differs, if any
const before = window.studydeckLaidOut || [];
window.studydeckLaidOut = parts;
const at = parts.findIndex((part, n) => part !== before[n]);
return at < 0 && before.length === parts.length ? null
    : [at, ...[before[at], parts[at], nodes[at - 4] && nodes[at - 4].outerHTML].map((t) => String(t).slice(0, 300))];"""


def set_scheme(driver, scheme: str) -> None:  # type: ignore[no-untyped-def]
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
    assert driver.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches") is (scheme == "dark")


def test_the_colour_schemes_differ_in_colour_alone(browser, bank_page) -> None:
    """What the walk below takes for granted, from the stylesheet: the dark scheme sets custom
    properties alone, each a colour in both schemes, and no script asks which scheme is on."""
    path, _ = bank_page
    assert path.read_text(encoding="utf-8").count("prefers-color-scheme") == 1  # in the stylesheet, not in a script
    open_page(browser, path)
    for scheme in ("dark", "light"):
        set_scheme(browser, scheme)
        blocks, declared = browser.execute_script(SCHEME_SETS_COLOURS_ONLY)
        assert blocks == 1 and declared, declared
        assert all(selector == ":root" and name.startswith("--") and here and now
                   for selector, name, here, now in declared), declared


def test_the_helpers_click_choose_and_read_as_a_person_would(browser, tmp_path) -> None:
    """``click`` gives the page a trusted click on an element scrolled into view, and refuses one that
    something covers (saying what); ``choose`` picks an option as a change, and refuses a disabled one;
    ``texts`` reads what is shown."""
    from selenium.webdriver.common.by import By

    path = tmp_path / "helpers.html"
    path.write_text(
        '<!doctype html><body style="margin:0"><div style="height:3000px">top</div>'
        '<button id="far">far</button><span id="a"> A <b>bold</b> </span>'
        '<select id="pick"><option value="1">One</option><option value="2">Two</option>'
        '<option value="3" disabled>Three</option></select>'
        '<div id="cover" style="position:fixed;inset:0;display:none"></div><script>window.seen = [];'
        'document.getElementById("far").addEventListener("click", (e) => seen.push(["far", e.isTrusted]));'
        'document.getElementById("pick").addEventListener("change", (e) => seen.push(["pick", e.target.value]));'
        "</script>", encoding="utf-8")
    browser.get(path.as_uri())
    far, pick = browser.find_element(By.ID, "far"), browser.find_element(By.ID, "pick")
    click(browser, far)
    assert browser.execute_script("return [seen, scrollY > 0]") == [[["far", True]], True]
    choose(browser, pick, text="Two")
    choose(browser, pick, value="2")  # already chosen: no change
    assert browser.execute_script("return [seen.slice(1), document.activeElement.id]") == [[["pick", "2"]], "pick"]
    with pytest.raises(AssertionError, match="no option with value '3'"):
        choose(browser, pick, value="3")
    assert texts(browser, [browser.find_element(By.ID, "a")]) == ["A bold"]
    assert texts(browser, [browser.find_element(By.ID, "a")], "b") == ["bold"]
    browser.execute_script("document.getElementById('cover').style.display = 'block'")
    with pytest.raises(AssertionError, match='covered by <div id="cover"'):
        click(browser, far)
    assert browser.execute_script("return seen.length") == 2


def test_axe_names_the_nodes_it_finds(browser, bank_page) -> None:
    """``axe`` leaves out the selectors that name nodes until it finds a violation; then it names them."""
    path, _ = bank_page
    open_page(browser, path)
    browser.execute_script("""
        const planted = Object.assign(document.createElement('p'), {id: 'planted', textContent: 'Hard to read'});
        Object.assign(planted.style, {color: '#777', background: '#888'});  // (the page's CSP refuses style attributes)
        document.getElementById('intro').after(planted);""")
    found = axe(browser, "cat.color")
    assert [(v["id"], v["nodes"], v["where"][0].split(":")[0]) for v in found] == [("color-contrast", 1, "#planted")]


@pytest.mark.parametrize("width", [420, 1000])
def test_every_state_accessible_and_pictured(browser, bank_page, tmp_path, width: int) -> None:
    """One walk a width; at each state the page is looked at in both colour schemes (in turns, so that
    the walk goes on in light after some states and in dark after others). What the schemes change is
    proven to be colour alone (the stylesheet, in the test above, then ``LAID_OUT`` at each state), so
    the walk of one scheme is the walk of the other, and axe's rules that read colours run in both, the rest in light
    (they find the same in dark); every other check runs in each scheme."""
    path, data = bank_page
    shots = tmp_path / "shots"
    shots.mkdir()
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path / "downloads")})
    found: dict[str, dict[str, list[dict[str, Any]]]] = {"light": {}, "dark": {}}
    names = []
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 500})
    set_scheme(browser, "light")
    for n, state in enumerate(states(browser, path, data)):
        for scheme in ("light", "dark") if n % 2 == 0 else ("dark", "light"):
            set_scheme(browser, scheme)
            assert browser.execute_script("return document.documentElement.scrollWidth") <= width, (state, scheme)
            name = f"{state}-{width}-{scheme}"
            browser.save_screenshot(str(shots / f"{name}.png"))
            names.append(name)
            if width == 1000:
                found[scheme][state] = axe(browser, None if scheme == "light" else "cat.color")
            changed = browser.execute_script(LAID_OUT)  # the first time at a state: against the state before
        assert changed is None, (state, changed)  # the same markup, boxes and backgrounds in both schemes
    if width == 1000:
        assert {"color-contrast", "link-in-text-block"} <= set(axe_rules(browser, "cat.color"))
    assert severe(browser) == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0  # no request
    assert len(list(shots.glob("*.png"))) == len(set(names)) == len(names) == 20
    assert [len(found[scheme]) for scheme in found] == ([10, 10] if width == 1000 else [0, 0])
    for scheme, seen in found.items():
        if seen:
            (shots / f"axe-{scheme}.json").write_text(json.dumps(seen, indent=1), encoding="utf-8")
    if os.environ.get("STUDYDECK_SHOTS"):  # for a person to look at
        shutil.copytree(shots, os.environ["STUDYDECK_SHOTS"], dirs_exist_ok=True)
    everything = {f"{state}-{scheme}": violations for scheme, seen in found.items() for state, violations in seen.items()}
    serious = {key: [v for v in violations if v["impact"] in ("serious", "critical")]
               for key, violations in everything.items()}
    assert not any(serious.values()), json.dumps(serious, indent=1)
    assert sum(v["nodes"] for violations in everything.values() for v in violations) == 0, json.dumps(everything, indent=1)
