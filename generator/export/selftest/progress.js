// Saved progress: each item's review state in localStorage under the project id and the item id
// (an item whose wording changed keeps its history), the study settings beside it, and the same
// as one JSON file to export and import. Anything unreadable is refused with a message.
const PROGRESS_FORMAT = "studydeck-progress";
const PROGRESS_VERSION = 1;

function validCard(c) {
  const count = (n) => Number.isInteger(n) && n >= 0;
  const time = (n) => Number.isFinite(n) && n >= 0;
  return c !== null && typeof c === "object" && !Array.isArray(c) &&
    [FSRS.LEARNING, FSRS.REVIEW, FSRS.RELEARNING].includes(c.state) && count(c.step) && c.step < 10 &&
    Number.isFinite(c.s) && c.s > 0 && c.s <= 1e6 && Number.isFinite(c.d) && c.d >= 1 && c.d <= 10 &&
    time(c.due) && time(c.last) && count(c.reps) && c.reps > 0 && count(c.lapses);
}
function validSettings(s) {
  return s !== null && typeof s === "object" && !Array.isArray(s) && Number.isInteger(s.newPerDay) &&
    s.newPerDay >= 0 && s.newPerDay <= 9999 && Number.isInteger(s.day) && Number.isInteger(s.newSeen) && s.newSeen >= 0 &&
    (s.mode === "session" || s.mode === "test");
}
function cardFields(c) {
  return { state: c.state, step: c.step, s: c.s, d: c.d, due: c.due, last: c.last, reps: c.reps, lapses: c.lapses };
}

function openProgress(project) {
  const prefix = `studydeck:${project}:`;
  const cards = new Map();
  let settings = { newPerDay: 20, day: 0, newSeen: 0, mode: "test" };
  let store = null;
  const notes = [];
  try {
    store = window.localStorage;
    store.setItem(`${prefix}probe`, "1");
    store.removeItem(`${prefix}probe`);
  } catch (error) {
    store = null;
    notes.push("This browser does not keep progress for this file: it lasts until you close the page. " +
      "Use \u201cExport progress\u201d to keep it, and \u201cImport progress\u201d next time.");
  }
  if (store) {
    let unreadable = 0;
    for (let i = 0; i < store.length; i++) {
      const key = store.key(i);
      if (!key || !key.startsWith(prefix)) continue;
      let value;
      try { value = JSON.parse(store.getItem(key)); } catch (error) { value = undefined; }
      if (key === `${prefix}settings` && validSettings(value)) settings = { ...settings, ...value };
      else if (key.startsWith(`${prefix}card:`) && validCard(value)) cards.set(key.slice(prefix.length + 5), cardFields(value));
      else unreadable += 1;
    }
    if (unreadable) notes.push(`${unreadable} saved record${unreadable === 1 ? " was" : "s were"} unreadable and ${unreadable === 1 ? "was" : "were"} left out.`);
  }
  function write(key, value) {
    if (!store) return;
    try {
      if (value === undefined) store.removeItem(prefix + key);
      else store.setItem(prefix + key, JSON.stringify(value));
    } catch (error) {
      notes.push("Saving failed (the browser's storage is full or off): export your progress to keep it.");
    }
  }
  function today() {
    const day = FSRS.dayNumber(Date.now());
    if (settings.day !== day) settings = { ...settings, day, newSeen: 0 };
    return settings;
  }
  return {
    notes,
    saved: () => store !== null,
    get: (id) => cards.get(id),
    count: () => cards.size,
    put(id, state) { cards.set(id, cardFields(state)); write(`card:${id}`, cardFields(state)); },
    settings: today,
    setSettings(changes) { settings = { ...today(), ...changes }; write("settings", settings); },
    exportText() {
      const out = {};
      for (const [id, state] of [...cards.entries()].sort()) out[id] = state;
      return JSON.stringify({ format: PROGRESS_FORMAT, version: PROGRESS_VERSION, project, exported: new Date().toISOString(),
        settings: today(), cards: out }, null, 1);
    },
    /** Replace the progress with a file's; the message says what was done or why it was refused. */
    importText(text) {
      let data;
      try { data = JSON.parse(text); } catch (error) { return { ok: false, message: "Not imported: the file is not JSON." }; }
      if (data === null || typeof data !== "object" || data.format !== PROGRESS_FORMAT) {
        return { ok: false, message: "Not imported: this is not a studydeck progress file." };
      }
      if (data.version !== PROGRESS_VERSION) {
        return { ok: false, message: `Not imported: progress format version ${String(data.version)} is not one this page reads.` };
      }
      if (data.project !== project) {
        return { ok: false, message: `Not imported: this progress is for another collection (\u201c${String(data.project)}\u201d), not \u201c${project}\u201d.` };
      }
      if (data.cards === null || typeof data.cards !== "object" || Array.isArray(data.cards)) {
        return { ok: false, message: "Not imported: the file has no cards." };
      }
      const bad = Object.keys(data.cards).filter((id) => !validCard(data.cards[id]));
      if (bad.length) return { ok: false, message: `Not imported: the review state of ${bad.length} item${bad.length === 1 ? "" : "s"} (${bad.slice(0, 3).join(", ")}) is damaged.` };
      this.reset();
      for (const [id, state] of Object.entries(data.cards)) this.put(id, state);
      if (validSettings(data.settings)) this.setSettings({ newPerDay: data.settings.newPerDay, mode: data.settings.mode });
      const here = new Set(DATA.items.map((item) => item.id));
      const elsewhere = Object.keys(data.cards).filter((id) => !here.has(id)).length;
      return { ok: true, message: `Imported the progress of ${cards.size} item${cards.size === 1 ? "" : "s"}` +
        (elsewhere ? ` (${elsewhere} not on this page, kept for when they return).` : ".") };
    },
    reset() {
      const keys = [];
      for (let i = 0; store && i < store.length; i++) if (store.key(i).startsWith(`${prefix}card:`)) keys.push(store.key(i));
      for (const key of keys) write(key.slice(prefix.length), undefined);
      cards.clear();
      settings = { ...settings, newSeen: 0 };
      write("settings", settings);
    }
  };
}
