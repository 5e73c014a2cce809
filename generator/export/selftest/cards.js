// One card per item, for the whole test and for study sessions: answerable, marked at once (or
// self-graded when the answer is too long for a machine to mark), with its excerpts and citations.
// Item text enters the page through textContent only; nothing here parses HTML.
const DATA = JSON.parse(document.getElementById("data").textContent);
const TYPE_NAMES = {
  basic: "Short answer", mcq: "Multiple choice", quote: "Who said it?", truefalse: "True or false",
  cloze: "Fill in the blanks", order: "Timeline", match: "Matching", claims: "Contested figures"
};
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** Tell screen readers (the page's one polite live region). */
function announce(text) {
  document.getElementById("announce").textContent = text;
}

function shuffle(list) {
  const out = list.slice();
  const random = new Uint32Array(out.length);
  crypto.getRandomValues(random);
  for (let i = out.length - 1; i > 0; i--) {
    const j = random[i] % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// Typed answers: case, accents of quotes and dashes, punctuation, spacing and a leading article do not count.
function fold(text) {
  return text.normalize("NFKC").toLowerCase()
    .replace(/[\u2018\u2019\u201c\u201d"'`]/g, "")
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .replace(/[^\p{L}\p{N}-]+/gu, " ")
    .trim().replace(/^(the|a|an) /, "").replace(/\s+/g, " ");
}
function accepted(response, accept) {
  const said = fold(response);
  return said !== "" && accept.some((a) => fold(a) === said);
}

// --- "show in source" ---------------------------------------------------------------------
const sourceDialog = document.getElementById("source-view");
document.getElementById("source-close").addEventListener("click", () => sourceDialog.close());
let sourceOpener = null;
sourceDialog.addEventListener("close", () => { if (sourceOpener) sourceOpener.focus(); });

function showSource(source, button) {
  const doc = DATA.docs[source.doc];
  document.getElementById("source-title").textContent = doc.title;
  document.getElementById("source-cite").textContent = doc.cite;
  const box = document.getElementById("source-text");
  const mark = el("mark", { text: doc.text.slice(source.start, source.end) });
  box.replaceChildren(doc.text.slice(0, source.start), mark, doc.text.slice(source.end));
  sourceOpener = button;
  sourceDialog.showModal();
  mark.scrollIntoView({ block: "center" });
  box.focus();
}

function evidence(item) {
  const box = el("div", { class: "evidences" });
  for (const source of item.sources) {
    const button = el("button", { type: "button", text: "Show in source" });
    button.addEventListener("click", () => showSource(source, button));
    box.append(el("div", { class: "evidence" },
      el("blockquote", { class: "excerpt", text: source.excerpt }),
      el("p", { class: "cite", text: source.cite }),
      button));
  }
  if (item.note) box.append(el("p", { class: "note", text: item.note }));
  return box;
}

/** A mark that says right or wrong in words and an icon, not by colour alone. */
function badge(right, words) {
  return el("span", { class: `badge ${right ? "right" : "wrong"}`, text: `${right ? "\u2713" : "\u2717"} ${words}` });
}

// --- one card -------------------------------------------------------------------------------
// options: scope (prefix of the card's ids: one page may show an item twice), keys (show the
// answer keys of a study session), onDone(right) when marked (again if the student overrides).
function card(item, number, options) {
  const scope = options.scope;
  const node = el("article", { class: "card", "data-id": item.id, "data-type": item.type, "data-deck": String(item.deck),
    "aria-labelledby": `${scope}q-${item.id}` });
  node.append(el("p", { class: "meta", text: `${number}. ${TYPE_NAMES[item.type]} \u00b7 ${DATA.decks[item.deck].name}` }));
  const prompt = el("h2", { class: "prompt", id: `${scope}q-${item.id}`, tabindex: "-1", text: item.prompt });
  node.append(prompt);
  if (item.type === "quote") {
    node.append(el("blockquote", { class: "quotation", text: `\u201c${item.quotation}\u201d` }));
    node.append(el("p", { class: "context", text: item.context }));
  }
  const form = el("form", { class: "answer-form" });
  const kind = item.choices ? "choices" : (item.type === "basic" || item.type === "quote" ? "typed" : item.type);
  const built = BUILD[kind](item, form, options);
  const selfGraded = Boolean(item.self);
  const check = el("button", { type: "submit", class: "primary", text: selfGraded ? "Show answer" : "Check" });
  const result = el("div", { class: "result", hidden: "" });
  form.append(el("div", { class: "actions" }, check));
  let done = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (done) return;
    const outcome = built.mark();
    if (outcome === null) { announce("Answer first, then check."); return; }
    done = true;
    for (const control of form.querySelectorAll("input, select, button, textarea")) control.disabled = true;
    const shown = Array.isArray(outcome.answer)
      ? el(item.type === "order" ? "ol" : "ul", { class: "answer" }, ...outcome.answer.map((line) => el("li", { text: line })))
      : el("p", { class: "answer", text: outcome.answer });
    const verdict = el("p", { class: "verdict", tabindex: "-1", id: `${scope}v-${item.id}` });
    result.replaceChildren(verdict, shown, evidence(item));
    result.hidden = false;
    function settle(right, words) {
      node.classList.remove("right", "wrong");
      node.classList.add(right ? "right" : "wrong");
      verdict.className = `verdict ${right ? "right" : "wrong"}`;
      verdict.textContent = `${right ? "\u2713" : "\u2717"} ${words}`;
      announce(`${verdict.textContent}. ${shown.textContent}`);
      options.onDone(right);
    }
    if (selfGraded) {
      verdict.className = "verdict self";
      verdict.textContent = "Self-graded: compare your answer with the model answer, then mark it.";
      const mine = el("div", { class: "self-mark", role: "group", "aria-label": "Mark your own answer" });
      const mark = (right) => () => { mine.remove(); settle(right, right ? "Right (self-graded)" : "Wrong (self-graded)"); verdict.focus(); };
      mine.append(el("button", { type: "button", class: "had-it", text: "\u2713 I had it", onclick: mark(true) }),
        el("button", { type: "button", class: "missed-it", text: "\u2717 I missed it", onclick: mark(false) }));
      if (options.keys) mine.append(el("span", { class: "hint", text: " Keys: Y had it, N missed it." }));
      result.insertBefore(mine, shown.nextSibling);
      announce(`${verdict.textContent} ${shown.textContent}`);
    } else {
      settle(outcome.right, outcome.right ? "Correct" : (outcome.partial || "Not quite"));
      if (!outcome.right && outcome.selfMark) {
        const own = el("button", { type: "button", text: "I meant that: count it as right" });
        own.addEventListener("click", () => { own.remove(); settle(true, "Counted as right"); verdict.focus(); });
        result.append(own);
      }
    }
    verdict.focus();
  });
  node.append(form, result);
  return { node, prompt, form, keys: built.keys || {}, isDone: () => done };
}

function choiceList(form, legend, entries, options) {
  const set = el("fieldset", {}, el("legend", { class: "meta", text: legend }));
  const keys = {};
  const rows = entries.map(([value, text], i) => {
    const input = el("input", { type: "radio", name: `${options.scope}${options.name}`, value });
    const key = options.keys ? (options.letters || LETTERS)[i] : "";
    const label = el("label", { class: "choice" }, input, key ? el("kbd", { text: key }) : null, el("span", { text }));
    if (key) keys[key.toLowerCase()] = () => { input.checked = true; input.focus(); };
    set.append(label);
    return { label, input, value };
  });
  form.append(set);
  return { rows, keys };
}

const BUILD = {
  choices(item, form, options) {
    const list = choiceList(form, "Choose one", shuffle(item.choices).map((c) => [c, c]), { ...options, name: `c-${item.id}` });
    return { keys: list.keys, mark() {
      const picked = list.rows.find((row) => row.input.checked);
      if (!picked) return null;
      for (const row of list.rows) {
        if (row.value === item.answer) row.label.append(badge(true, "answer"));
        else if (row === picked) row.label.append(badge(false, "your choice"));
        row.label.classList.add(row.value === item.answer ? "is-right" : (row === picked ? "is-wrong" : "other"));
      }
      return { right: picked.value === item.answer, answer: `Answer: ${item.answer}` };
    } };
  },
  typed(item, form, options) {
    const common = { "aria-label": "Your answer", autocomplete: "off", spellcheck: "false", id: `${options.scope}t-${item.id}` };
    const input = item.self ? el("textarea", { ...common, rows: "3" }) : el("input", { ...common, type: "text" });
    form.append(input);
    if (item.self) form.append(el("p", { class: "hint", text: "A longer answer: write it, show the model answer, then mark yourself." }));
    return { mark() {
      if (!input.value.trim() && !item.self) return null;
      if (item.self) return { right: null, answer: `Model answer: ${item.answer}` };
      return { right: accepted(input.value, item.accept), answer: `Answer: ${item.answer}`, selfMark: true };
    } };
  },
  truefalse(item, form, options) {
    const list = choiceList(form, "True or false?", [["true", "True"], ["false", "False"]],
      { ...options, name: `tf-${item.id}`, letters: "TF" });
    return { keys: list.keys, mark() {
      const picked = list.rows.find((row) => row.input.checked);
      if (!picked) return null;
      const said = picked.value === "true";
      const right = list.rows[item.answer ? 0 : 1];
      right.label.classList.add("is-right");
      right.label.append(badge(true, "answer"));
      if (said !== item.answer) { picked.label.classList.add("is-wrong"); picked.label.append(badge(false, "your choice")); }
      const answer = item.answer ? "The statement is true." : `The statement is false. ${item.correction}`;
      return { right: said === item.answer, answer };
    } };
  },
  cloze(item, form, options) {
    const line = el("p", { class: "cloze" });
    const blanks = [];
    let n = 0;
    for (const part of item.parts) {
      if (typeof part === "string") { line.append(part); continue; }
      n += 1;
      const input = el("input", { type: "text", "aria-label": `Blank ${n}${part.hint ? ` (${part.hint})` : ""}`,
        autocomplete: "off", spellcheck: "false", id: `${options.scope}b${n}-${item.id}` });
      blanks.push([input, part]);
      line.append(input);
      if (part.hint) line.append(el("span", { class: "hint", text: ` (${part.hint})` }));
    }
    form.append(line);
    return { mark() {
      if (blanks.every(([input]) => !input.value.trim()) && !item.self) return null;
      const answer = `Answer: ${blanks.map(([, part], i) => `(${i + 1}) ${part.answer}`).join("; ")}`;
      if (item.self) return { right: null, answer };
      const good = blanks.map(([input, part]) => accepted(input.value, part.accept));
      blanks.forEach(([input], i) => input.after(badge(good[i], good[i] ? "right" : "wrong")));
      return { right: good.every(Boolean), selfMark: true, partial: `${good.filter(Boolean).length} of ${blanks.length} blanks right`, answer };
    } };
  },
  order(item, form, options) {
    const list = el("ol", { class: "order", "aria-label": "Events, earliest first" });
    const count = item.events.length;
    let order = shuffle(item.events.map((_, i) => i));
    if (order.every((v, i) => v === i)) order = order.slice(1).concat(order.slice(0, 1));
    const rows = order.map((index) => {
      const picker = el("select", { "aria-label": `Position of: ${item.events[index].text}`, id: `${options.scope}o${index}-${item.id}` });
      for (let p = 1; p <= count; p++) picker.append(el("option", { value: String(p), text: String(p) }));
      const row = el("li", { draggable: "true", "data-index": String(index) },
        el("span", { class: "grip", "aria-hidden": "true", text: "\u2630" }), picker,
        el("span", { class: "text", text: item.events[index].text }));
      picker.addEventListener("change", () => { moveTo(row, Number(picker.value) - 1); picker.focus(); });
      row.addEventListener("dragstart", (event) => { row.classList.add("dragging"); event.dataTransfer.setData("text/plain", ""); });
      row.addEventListener("dragend", () => { row.classList.remove("dragging"); renumber(); });
      return row;
    });
    list.append(...rows);
    list.addEventListener("dragover", (event) => {
      event.preventDefault();
      const dragging = list.querySelector(".dragging");
      if (!dragging) return;
      const after = [...list.children].find((row) => row !== dragging &&
        event.clientY < row.getBoundingClientRect().top + row.offsetHeight / 2);
      list.insertBefore(dragging, after || null);
    });
    function moveTo(row, position) {
      const others = [...list.children].filter((r) => r !== row);
      list.insertBefore(row, others[position] || null);
      renumber();
    }
    function renumber() {
      [...list.children].forEach((row, i) => { row.querySelector("select").value = String(i + 1); });
    }
    renumber();
    form.append(el("p", { class: "hint", text: "Drag the events, or set each one's number, earliest first." }), list);
    return { mark() {
      let placed = 0;
      [...list.children].forEach((row, i) => {
        const ok = Number(row.dataset.index) === i;
        placed += ok ? 1 : 0;
        row.classList.add(ok ? "is-right" : "is-wrong");
        row.append(badge(ok, ok ? "in place" : "misplaced"));
      });
      return { right: placed === count, partial: `${placed} of ${count} in the right place`,
        answer: item.events.map((e) => `${e.date}: ${e.text}`) };
    } };
  },
  match(item, form, options) {
    const rights = shuffle([...new Set(item.pairs.map((p) => p.right))]);
    const table = el("table", { class: "pairs" },
      el("thead", {}, el("tr", {}, el("th", { text: item.left_label }), el("th", { text: item.right_label }))));
    const body = el("tbody");
    const rows = shuffle(item.pairs).map((pair, n) => {
      const select = el("select", { "aria-label": `${item.right_label} for ${pair.left}`, id: `${options.scope}m${n}-${item.id}` },
        el("option", { value: "", text: "Choose\u2026" }));
      rights.forEach((r, i) => select.append(el("option", { value: String(i), text: r })));
      const cell = el("td", {}, select);
      const row = el("tr", {}, el("td", { text: pair.left }), cell);
      body.append(row);
      return [row, select, pair, cell];
    });
    table.append(body);
    form.append(table);
    return { mark() {
      if (rows.every(([, select]) => select.value === "")) return null;
      let good = 0;
      for (const [row, select, pair, cell] of rows) {
        const ok = select.value !== "" && rights[Number(select.value)] === pair.right;
        good += ok ? 1 : 0;
        row.classList.add(ok ? "is-right" : "is-wrong");
        cell.append(badge(ok, ok ? "right" : "wrong"));
      }
      return { right: good === rows.length, partial: `${good} of ${rows.length} matched`,
        answer: item.pairs.map((p) => `${p.left} \u2192 ${p.right}`) };
    } };
  }
};
BUILD.claims = BUILD.match;
