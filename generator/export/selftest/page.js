// The page: filters, the two ways to study (a session, or the whole test with its score and
// summary), and the progress tools.
const results = new Map(); // item id -> true/false once marked in the whole test
let wasFinished = false; // every shown question answered (said once when it becomes so)
const progress = openProgress(DATA.project);
const deckFilter = document.getElementById("deck-filter");
const typeFilter = document.getElementById("type-filter");
const tagFilter = document.getElementById("tag-filter");
const message = document.getElementById("progress-message");

function say(text) {
  message.textContent = text;
}

function matches(item) {
  return (deckFilter.value === "" || String(item.deck) === deckFilter.value) &&
    (typeFilter.value === "" || item.type === typeFilter.value) &&
    (tagFilter.value === "" || item.tags.includes(tagFilter.value));
}
const shownItems = () => DATA.items.filter(matches);

// --- the whole test -------------------------------------------------------------------------
const list = document.getElementById("items");
const cards = new Map();
DATA.items.forEach((item, i) => {
  const view = card(item, i + 1, { scope: "", keys: false, onDone: (right) => { results.set(item.id, right); updateScore(); } });
  cards.set(item.id, view);
  list.append(view.node);
});

function tally(items) {
  const answered = items.filter((item) => results.has(item.id));
  return { right: answered.filter((item) => results.get(item.id)).length, answered: answered.length, total: items.length };
}

/** What names a question in the list to review: its prompt, or for a cloze its text, for a quote its quotation. */
function reviewLabel(item) {
  if (item.type === "cloze") return item.parts.map((p) => (typeof p === "string" ? p : "___")).join("");
  if (item.type === "quote") return `Who said \u201c${item.quotation}\u201d?`;
  return item.prompt;
}

function summaryTable(caption, heading, groups) {
  const body = el("tbody");
  for (const [name, items] of groups) {
    const t = tally(items);
    body.append(el("tr", {}, el("th", { scope: "row", text: name }), el("td", { text: String(t.right) }),
      el("td", { text: String(t.answered) }), el("td", { text: String(t.total) })));
  }
  return el("table", { class: "summary-table" }, el("caption", { text: caption }),
    el("thead", {}, el("tr", {}, ...[heading, "Right", "Answered", "Questions"].map((h) => el("th", { scope: "col", text: h })))), body);
}

function updateScore() {
  const shown = shownItems();
  const t = tally(shown);
  if (!document.getElementById("test").hidden) {
    document.getElementById("score").textContent = `Score: ${t.right} of ${t.answered} answered (${shown.length} questions shown)`;
  }
  const group = (key, name) => {
    const out = new Map();
    for (const item of shown) {
      const label = name(item[key]);
      if (!out.has(label)) out.set(label, []);
      out.get(label).push(item);
    }
    return out;
  };
  document.getElementById("summary-total").textContent = t.answered === t.total && t.total > 0
    ? `All ${t.total} answered: ${t.right} right (${Math.round(100 * t.right / t.total)}%).`
    : `${t.answered} of ${t.total} answered, ${t.right} right. Unanswered questions count as not yet done.`;
  document.querySelector(".summary-tables").replaceChildren(
    summaryTable("By deck", "Deck", group("deck", (n) => DATA.decks[n].name)),
    summaryTable("By type", "Type", group("type", (type) => TYPE_NAMES[type])));
  const review = shown.filter((item) => results.get(item.id) === false).map((item) => {
    const jump = el("button", { type: "button", class: "link", text: reviewLabel(item) });
    jump.addEventListener("click", () => {
      const view = cards.get(item.id);
      view.node.scrollIntoView({ block: "start" });
      view.prompt.focus();
    });
    return el("li", {}, jump);
  });
  document.getElementById("summary-review").replaceChildren(...(review.length ? review : [el("li", { text: "Nothing to review yet." })]));
  const finished = t.answered === t.total && t.total > 0;
  if (finished && !wasFinished) {  // after the last verdict, which is read first
    const said = document.getElementById("announce").textContent;
    announce(`${said} All shown questions answered: ${t.right} of ${t.total} right. The summary is at the end.`.trim());
  }
  wasFinished = finished;
}

// --- modes ----------------------------------------------------------------------------------
const session = makeSession(progress, shownItems);
const modeButtons = { session: document.getElementById("mode-session"), test: document.getElementById("mode-test") };

function setMode(mode) {
  progress.setSettings({ mode });
  for (const [name, button] of Object.entries(modeButtons)) button.setAttribute("aria-pressed", String(name === mode));
  document.getElementById("study").hidden = mode !== "session";
  document.getElementById("test").hidden = mode !== "test";
  if (mode === "session") {
    session.start();
  } else {
    updateScore();
  }
}
modeButtons.session.addEventListener("click", () => setMode("session"));
modeButtons.test.addEventListener("click", () => setMode("test"));
document.addEventListener("keydown", (event) => { if (!document.getElementById("study").hidden) session.keydown(event); });

function filter() {
  for (const item of DATA.items) cards.get(item.id).node.hidden = !matches(item);
  updateScore();
  if (!document.getElementById("study").hidden) session.refresh();
}

// --- progress tools -------------------------------------------------------------------------
const limit = document.getElementById("new-limit");
limit.value = String(progress.settings().newPerDay);
document.getElementById("limit-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = Number(limit.value);
  if (!Number.isInteger(value) || value < 0 || value > 9999) {
    say("The daily limit is a whole number from 0 to 9999.");
    return;
  }
  progress.setSettings({ newPerDay: value });
  say(`New cards a day: ${value}.`);
  session.refresh();
});
document.getElementById("export-progress").addEventListener("click", () => {
  const link = el("a", { download: `${DATA.project}-progress.json`,
    href: URL.createObjectURL(new Blob([progress.exportText()], { type: "application/json" })) });
  document.body.append(link);
  link.click();
  link.remove();
  say(`Exported the progress of ${progress.count()} items as ${DATA.project}-progress.json.`);
});
document.getElementById("import-progress").addEventListener("change", (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  file.text().then((text) => {
    const done = progress.importText(text);
    say(done.message);
    if (done.ok) { limit.value = String(progress.settings().newPerDay); session.start(); }
  }, () => say("Not imported: the file could not be read."));
});
const resetDialog = document.getElementById("reset-view");
document.getElementById("reset-progress").addEventListener("click", () => {
  document.getElementById("reset-text").textContent = `This deletes the review history of ${progress.count()} items saved ` +
    "in this browser for this page. Export it first if you may want it back.";
  resetDialog.showModal();
  document.getElementById("reset-cancel").focus();
});
document.getElementById("reset-cancel").addEventListener("click", () => resetDialog.close());
document.getElementById("reset-confirm").addEventListener("click", () => {
  progress.reset();
  resetDialog.close();
  say("Progress reset: every card is new again.");
  session.start();
});

// --- the page -------------------------------------------------------------------------------
document.getElementById("title").textContent = `${DATA.title}: self-test`;
document.getElementById("intro").textContent =
  `${DATA.items.length} questions. Study them a few at a time in a session (spaced repetition remembers what you know), ` +
  "or take the whole test. Every answer shows the source it rests on; nothing leaves this page.";
DATA.decks.forEach((deck, i) => deckFilter.append(el("option", { value: String(i), text: deck.name })));
for (const type of Object.keys(TYPE_NAMES)) {
  if (DATA.items.some((item) => item.type === type)) typeFilter.append(el("option", { value: type, text: TYPE_NAMES[type] }));
}
for (const tag of [...new Set(DATA.items.flatMap((item) => item.tags))].sort()) tagFilter.append(el("option", { value: tag, text: tag }));
for (const select of [deckFilter, typeFilter, tagFilter]) select.addEventListener("change", filter);
// Whatever scrolls into view (a focused card, a found answer) lands below the sticky bar, not under it.
const bar = document.getElementById("bar");
new ResizeObserver(() => { document.documentElement.style.scrollPaddingTop = `${bar.offsetHeight + 8}px`; }).observe(bar);
if (progress.notes.length) say(progress.notes.join(" "));
setMode(progress.settings().mode);
