// Study sessions: one card at a time from a queue (due reviews first, then new cards up to a daily
// limit), each rated Again/Hard/Good/Easy and scheduled by FSRS. Keyboard first: a letter picks an
// answer (T or F for true or false), Enter checks, Y or N self-grades, 1-4 rate, Enter takes the
// suggested rating (Again after a wrong answer, Good after a right one).
const LEARN_AHEAD = 20 * FSRS.MINUTE; // as Anki: a learning step due within 20 minutes is shown rather than waited for
const RATINGS = [[1, "Again"], [2, "Hard"], [3, "Good"], [4, "Easy"]];

function describeWait(ms) {
  const minutes = Math.round(ms / FSRS.MINUTE);
  if (minutes < 60) return `${Math.max(minutes, 1)} min`;
  if (minutes < 1440) return `${Math.round(minutes / 60)} h`;
  const days = Math.round(ms / FSRS.DAY);
  if (days < 60) return `${days} day${days === 1 ? "" : "s"}`;
  if (days < 730) return `${Math.round(days / 30.4)} months`;
  return `${(days / 365).toFixed(1)} years`;
}

function makeSession(progress, shownItems) {
  const root = document.getElementById("study-card");
  const stats = document.getElementById("score"); // in the sticky bar, always in view
  const tally = { seen: 0, right: 0 };
  let current = null; // { item, view, right, ratings }

  /** What is left to study at time now with the page's filters. */
  function queue(now) {
    const due = [], ahead = [], fresh = [];
    let later = Infinity;
    for (const item of shownItems()) {
      const state = progress.get(item.id);
      if (!state) fresh.push(item);
      else if (FSRS.isDue(state, now)) due.push([state.due, item]);
      else if (state.state !== FSRS.REVIEW && state.due <= now + LEARN_AHEAD) ahead.push([state.due, item]);
      else later = Math.min(later, state.due);
    }
    const settings = progress.settings();
    const newLeft = Math.max(0, settings.newPerDay - settings.newSeen);
    const byDue = (a, b) => a[0] - b[0];
    return { due: due.sort(byDue).map(([, i]) => i), ahead: ahead.sort(byDue).map(([, i]) => i),
      fresh: fresh.slice(0, newLeft), waiting: fresh.length, newLeft, later, settings };
  }

  function showStats(q) {
    stats.textContent = `Due now: ${q.due.length} \u00b7 New left today: ${q.fresh.length} of ${q.settings.newPerDay} ` +
      `\u00b7 Studied: ${tally.seen}, ${tally.right} right`;
  }

  function next() {
    const now = Date.now();
    const q = queue(now);
    showStats(q);
    const item = q.due[0] || q.fresh[0] || q.ahead[0];
    if (!item) {
      current = null;
      const lines = [el("h2", { class: "prompt", tabindex: "-1", id: "study-done", text: "Nothing more to study now." })];
      if (q.later < Infinity) lines.push(el("p", { text: `Next review: ${new Date(q.later).toLocaleString()} (in ${describeWait(q.later - now)}).` }));
      if (q.waiting > 0 && q.newLeft === 0) {
        lines.push(el("p", { text: `${q.waiting} new cards wait: today's limit of ${q.settings.newPerDay} is reached (raise the daily limit under Progress to study more).` }));
      }
      if (q.waiting === 0 && q.later === Infinity) lines.push(el("p", { text: "No cards match the filters." }));
      root.replaceChildren(el("div", { class: "card done" }, ...lines));
      announce(lines.map((line) => line.textContent).join(" "));
      return lines[0];
    }
    const view = card(item, DATA.items.indexOf(item) + 1, { scope: "s-", keys: true, onDone: (right) => rateable(right) });
    const isNew = !progress.get(item.id);
    view.node.prepend(el("p", { class: "queue-kind", text: isNew ? "New card" : "Review" }));
    current = { item, view, right: null, ratings: null, isNew };
    root.replaceChildren(view.node);
    return view.prompt;
  }

  /** After marking: the four ratings, each with the wait it gives, the suggested one first in line for Enter. */
  function rateable(right) {
    current.right = right;
    const suggested = right ? 3 : 1;
    const now = Date.now();
    const state = progress.get(current.item.id) || FSRS.newCard();
    const group = el("div", { class: "ratings", role: "group", "aria-label": "How well did you know it? Keys 1 to 4" });
    for (const [g, name] of RATINGS) {
      const wait = FSRS.review(state, g, now, current.item.id).due - now;
      const button = el("button", { type: "button", class: g === suggested ? "rating suggested" : "rating", "data-rating": String(g),
        "aria-keyshortcuts": String(g), onclick: () => rate(g) },
      el("kbd", { text: String(g) }), el("span", { class: "name", text: name }), el("span", { class: "wait", text: describeWait(wait) }));
      group.append(button);
    }
    const hint = el("p", { class: "hint", text: `Enter: ${RATINGS[suggested - 1][1]}${right ? "" : " (a wrong answer is Again unless you rate it otherwise)"}.` });
    if (current.ratings) current.ratings.remove();
    current.ratings = el("div", { class: "rate" }, group, hint);
    current.view.node.querySelector(".result .answer").after(current.ratings); // before the evidence: in sight after Check
  }

  function rate(g) {
    if (!current || current.right === null) return;
    const { item, isNew } = current;
    const now = Date.now();
    const after = FSRS.review(progress.get(item.id) || FSRS.newCard(), g, now, item.id);
    progress.put(item.id, after);
    if (isNew) progress.setSettings({ newSeen: progress.settings().newSeen + 1 });
    tally.seen += 1;
    tally.right += current.right && g > 1 ? 1 : 0;
    const focus = next();
    announce(`Rated ${RATINGS[g - 1][1]}: next review in ${describeWait(after.due - now)}. ${focus.textContent}`);
    focus.focus();
  }

  function keydown(event) {
    if (!current || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    // Keys typed into a field, or used in the progress tools or a dialog, are theirs; a radio button's are ours.
    if (target.closest(".progress-tools, dialog, .bar")) return;
    const typing = target.matches("input:not([type=radio]), textarea, select");
    const key = event.key.toLowerCase();
    if (!current.view.isDone()) {
      if (typing) return;
      if (key === "enter" && !target.matches("button")) { event.preventDefault(); current.view.form.requestSubmit(); }
      else if (current.view.keys[key]) { event.preventDefault(); current.view.keys[key](); }
      return;
    }
    if (current.right === null) {
      const selector = { y: ".had-it", n: ".missed-it" }[key];
      const button = selector && current.view.node.querySelector(selector);
      if (button) { event.preventDefault(); button.click(); }
      return;
    }
    if (["1", "2", "3", "4"].includes(key)) { event.preventDefault(); rate(Number(key)); }
    else if (key === "enter" && !target.matches("button")) { event.preventDefault(); rate(current.right ? 3 : 1); }
  }

  return {
    start() { next().focus(); },
    refresh() { if (!current || !current.view.isDone()) next(); else showStats(queue(Date.now())); },
    keydown
  };
}
