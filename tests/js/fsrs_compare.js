// Replays review histories through ts-fsrs (fuzz off, FSRS-6 defaults) and through the self-test
// page's own scheduler block (its text given as a file), and prints what each gives after every
// review. stdin: {"histories": [[{"rating": 1-4, "time": ms}, ...], ...]}; argv[2]: the scheduler's text.
"use strict";
const fs = require("fs");
const { fsrs, generatorParameters, createEmptyCard } = require("ts-fsrs");

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const FSRS = new Function(`${fs.readFileSync(process.argv[2], "utf8")}\nreturn FSRS;`)();
const scheduler = fsrs(generatorParameters({ enable_fuzz: false }));

function viaTsFsrs(history) {
  let card = createEmptyCard(new Date(history[0].time));
  return history.map(({ rating, time }) => {
    card = scheduler.next(card, new Date(time), rating).card;
    return { state: card.state, step: card.learning_steps, s: card.stability, d: card.difficulty, due: card.due.getTime() };
  });
}
function viaPage(history) {
  let card = FSRS.newCard();
  return history.map(({ rating, time }) => {
    card = FSRS.review(card, rating, time);
    return { state: card.state, step: card.step, s: card.s, d: card.d, due: card.due };
  });
}
process.stdout.write(JSON.stringify({
  ts_fsrs: input.histories.map(viaTsFsrs),
  page: input.histories.map(viaPage),
}));
