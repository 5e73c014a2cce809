"use strict";
// The self-test page: every item answerable, marked at once, with its excerpts and citations.
// Item text enters the page through textContent only; nothing here parses HTML.
(function () {
  const DATA = JSON.parse(document.getElementById("data").textContent);
  const TYPE_NAMES = {
    basic: "Short answer", mcq: "Multiple choice", quote: "Who said it?", truefalse: "True or false",
    cloze: "Fill in the blanks", order: "Timeline", match: "Matching", claims: "Contested figures"
  };
  const results = new Map(); // item id -> true/false once checked

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

  function updateScore() {
    const shown = [...document.querySelectorAll(".card")].filter((c) => !c.hidden).map((c) => c.dataset.id);
    const answered = shown.filter((id) => results.has(id));
    const right = answered.filter((id) => results.get(id)).length;
    document.getElementById("score").textContent =
      `Score: ${right} of ${answered.length} answered (${shown.length} questions shown)`;
  }

  // --- "show in source" ---------------------------------------------------------------------
  const dialog = document.getElementById("source-view");
  document.getElementById("source-close").addEventListener("click", () => dialog.close());
  let opener = null;
  dialog.addEventListener("close", () => { if (opener) opener.focus(); });

  function showSource(source, button) {
    const doc = DATA.docs[source.doc];
    document.getElementById("source-title").textContent = doc.title;
    document.getElementById("source-cite").textContent = doc.cite;
    const box = document.getElementById("source-text");
    const mark = el("mark", { text: doc.text.slice(source.start, source.end) });
    box.replaceChildren(doc.text.slice(0, source.start), mark, doc.text.slice(source.end));
    opener = button;
    dialog.showModal();
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

  // --- one card per item ----------------------------------------------------------------------
  function card(item, number) {
    const node = el("section", { class: "card", "data-id": item.id, "data-type": item.type, "data-deck": String(item.deck),
      "aria-labelledby": `q-${item.id}` });
    node.append(el("p", { class: "meta", text: `${number}. ${TYPE_NAMES[item.type]} \u00b7 ${DATA.decks[item.deck].name}` }));
    node.append(el("p", { class: "prompt", id: `q-${item.id}`, text: item.prompt }));
    if (item.type === "quote") {
      node.append(el("blockquote", { class: "quotation", text: `\u201c${item.quotation}\u201d` }));
      node.append(el("p", { class: "context", text: item.context }));
    }
    const form = el("form", { class: "answer-form" });
    const mark = BUILD[item.choices ? "choices" : (item.accept && !item.parts ? "typed" : item.type)](item, form);
    const check = el("button", { type: "submit", class: "primary", text: "Check" });
    const actions = el("div", { class: "actions" }, check);
    const result = el("div", { class: "result", hidden: "" });
    form.append(actions);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (results.has(item.id)) return;
      const outcome = mark();
      if (outcome === null) return; // nothing answered yet
      results.set(item.id, outcome.right);
      node.classList.add(outcome.right ? "right" : "wrong");
      for (const control of form.querySelectorAll("input, select, button")) control.disabled = true;
      const verdict = el("p", { class: `verdict ${outcome.right ? "right" : "wrong"}`,
        text: outcome.right ? "\u2713 Correct" : `\u2717 ${outcome.partial || "Not quite"}` });
      const shown = Array.isArray(outcome.answer)
        ? el(item.type === "order" ? "ol" : "ul", { class: "answer" }, ...outcome.answer.map((line) => el("li", { text: line })))
        : el("p", { class: "answer", text: outcome.answer });
      result.replaceChildren(verdict, shown, evidence(item));
      if (!outcome.right && outcome.selfMark) {
        const own = el("button", { type: "button", text: "I meant that: count it as right" });
        own.addEventListener("click", () => {
          results.set(item.id, true);
          node.classList.replace("wrong", "right");
          verdict.className = "verdict right";
          verdict.textContent = "\u2713 Counted as right";
          own.remove();
          updateScore();
        });
        result.append(own);
      }
      result.hidden = false;
      updateScore();
    });
    node.append(form, result);
    return node;
  }

  const BUILD = {
    choices(item, form) {
      const set = el("fieldset", {}, el("legend", { class: "meta", text: "Choose one" }));
      const name = `c-${item.id}`;
      const labels = [];
      for (const choice of shuffle(item.choices)) {
        const input = el("input", { type: "radio", name, value: choice });
        const label = el("label", { class: "choice" }, input, el("span", { text: choice }));
        labels.push([label, input, choice]);
        set.append(label);
      }
      form.append(set);
      return () => {
        const picked = labels.find(([, input]) => input.checked);
        if (!picked) return null;
        for (const [label, , choice] of labels) {
          if (choice === item.answer) label.classList.add("is-right");
          else if (label === picked[0]) label.classList.add("is-wrong");
        }
        return { right: picked[2] === item.answer, answer: `Answer: ${item.answer}` };
      };
    },
    typed(item, form) {
      const input = el("input", { type: "text", "aria-label": "Your answer", autocomplete: "off", spellcheck: "false" });
      form.append(input);
      return () => {
        if (!input.value.trim()) return null;
        return { right: accepted(input.value, item.accept), answer: `Answer: ${item.answer}`, selfMark: true };
      };
    },
    truefalse(item, form) {
      const name = `tf-${item.id}`;
      const options = [["true", "True"], ["false", "False"]].map(([value, text]) => {
        const input = el("input", { type: "radio", name, value });
        return [el("label", { class: "choice" }, input, el("span", { text })), input];
      });
      form.append(el("fieldset", {}, el("legend", { class: "meta", text: "True or false?" }), ...options.map(([l]) => l)));
      return () => {
        const picked = options.find(([, input]) => input.checked);
        if (!picked) return null;
        const said = picked[1].value === "true";
        options[item.answer ? 0 : 1][0].classList.add("is-right");
        if (said !== item.answer) picked[0].classList.add("is-wrong");
        const answer = item.answer ? "The statement is true." : `The statement is false. ${item.correction}`;
        return { right: said === item.answer, answer };
      };
    },
    cloze(item, form) {
      const line = el("p", { class: "cloze" });
      const blanks = [];
      let n = 0;
      for (const part of item.parts) {
        if (typeof part === "string") { line.append(part); continue; }
        n += 1;
        const input = el("input", { type: "text", "aria-label": `Blank ${n}${part.hint ? ` (${part.hint})` : ""}`,
          autocomplete: "off", spellcheck: "false" });
        blanks.push([input, part]);
        line.append(input);
        if (part.hint) line.append(el("span", { class: "hint", text: ` (${part.hint})` }));
      }
      form.append(line);
      return () => {
        if (blanks.every(([input]) => !input.value.trim())) return null;
        const good = blanks.map(([input, part]) => accepted(input.value, part.accept));
        const all = good.every(Boolean);
        return { right: all, selfMark: true, partial: `${good.filter(Boolean).length} of ${blanks.length} blanks right`,
          answer: `Answer: ${blanks.map(([, part], i) => `(${i + 1}) ${part.answer}`).join("; ")}` };
      };
    },
    order(item, form) {
      const list = el("ol", { class: "order", "aria-label": "Events, earliest first" });
      const count = item.events.length;
      let order = shuffle(item.events.map((_, i) => i));
      if (order.every((v, i) => v === i)) order = order.slice(1).concat(order.slice(0, 1));
      const rows = order.map((index) => {
        const picker = el("select", { "aria-label": `Position of: ${item.events[index].text}` });
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
      return () => {
        const now = [...list.children];
        let placed = 0;
        now.forEach((row, i) => {
          const ok = Number(row.dataset.index) === i;
          placed += ok ? 1 : 0;
          row.classList.add(ok ? "is-right" : "is-wrong");
        });
        return { right: placed === count, partial: `${placed} of ${count} in the right place`,
          answer: item.events.map((e) => `${e.date}: ${e.text}`) };
      };
    },
    match(item, form) {
      const rights = shuffle([...new Set(item.pairs.map((p) => p.right))]);
      const table = el("table", { class: "pairs" },
        el("thead", {}, el("tr", {}, el("th", { text: item.left_label }), el("th", { text: item.right_label }))));
      const body = el("tbody");
      const rows = shuffle(item.pairs).map((pair) => {
        const select = el("select", { "aria-label": `${item.right_label} for ${pair.left}` },
          el("option", { value: "", text: "Choose\u2026" }));
        rights.forEach((r, i) => select.append(el("option", { value: String(i), text: r })));
        const row = el("tr", {}, el("td", { text: pair.left }), el("td", {}, select));
        body.append(row);
        return [row, select, pair];
      });
      table.append(body);
      form.append(table);
      return () => {
        if (rows.every(([, select]) => select.value === "")) return null;
        let good = 0;
        for (const [row, select, pair] of rows) {
          const ok = select.value !== "" && rights[Number(select.value)] === pair.right;
          good += ok ? 1 : 0;
          row.classList.add(ok ? "is-right" : "is-wrong");
        }
        return { right: good === rows.length, partial: `${good} of ${rows.length} matched`,
          answer: item.pairs.map((p) => `${p.left} \u2192 ${p.right}`) };
      };
    }
  };
  BUILD.claims = BUILD.match;

  // --- the page -------------------------------------------------------------------------------
  document.getElementById("title").textContent = `${DATA.title}: self-test`;
  document.getElementById("intro").textContent =
    `${DATA.items.length} questions. Answer, press Check (or Enter), and read the source each answer rests on. ` +
    "Choices are shuffled on every visit; nothing leaves this page.";
  const deckFilter = document.getElementById("deck-filter");
  DATA.decks.forEach((deck, i) => deckFilter.append(el("option", { value: String(i), text: deck.name })));
  const typeFilter = document.getElementById("type-filter");
  for (const type of Object.keys(TYPE_NAMES)) {
    if (DATA.items.some((item) => item.type === type)) typeFilter.append(el("option", { value: type, text: TYPE_NAMES[type] }));
  }
  const main = document.getElementById("items");
  DATA.items.forEach((item, i) => main.append(card(item, i + 1)));
  function filter() {
    for (const node of main.querySelectorAll(".card")) {
      node.hidden = (deckFilter.value !== "" && node.dataset.deck !== deckFilter.value) ||
        (typeFilter.value !== "" && node.dataset.type !== typeFilter.value);
    }
    updateScore();
  }
  deckFilter.addEventListener("change", filter);
  typeFilter.addEventListener("change", filter);
  updateScore();
})();
