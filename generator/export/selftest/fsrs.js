// FSRS-6 with its default parameters: the scheduler modern Anki uses. A self-contained block (it
// reads nothing outside itself) so that tests run this very text in node and in Chromium and compare
// it with the Python package fsrs and the npm package ts-fsrs (tests/test_selftest_fsrs.py).
// Time is in milliseconds; whole days are counted by the student's calendar date (as ts-fsrs counts
// UTC dates and Anki its own days): a review on the same date is a same-day (short-term) review.
const FSRS = (() => {
  const W = [0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542];
  const RETENTION = 0.9;
  const MAX_INTERVAL = 36500; // days
  const S_MIN = 0.001;
  const LEARNING_STEPS = [1, 10]; // minutes
  const RELEARNING_STEPS = [10];
  const DECAY = -W[20];
  const FACTOR = 0.9 ** (1 / DECAY) - 1;
  const MINUTE = 60000;
  const DAY = 86400000;
  const NEW = 0, LEARNING = 1, REVIEW = 2, RELEARNING = 3;
  const AGAIN = 1, HARD = 2, GOOD = 3, EASY = 4;
  const FUZZ_RANGES = [[2.5, 7, 0.15], [7, 20, 0.1], [20, Infinity, 0.05]];

  const clampS = (s) => Math.max(s, S_MIN);
  const clampD = (d) => Math.min(Math.max(d, 1), 10);
  const initialStability = (g) => clampS(W[g - 1]);
  const initialDifficulty = (g) => W[4] - Math.exp(W[5] * (g - 1)) + 1;
  const retrievability = (days, s) => (1 + FACTOR * days / s) ** DECAY;

  function nextDifficulty(d, g) {
    const delta = -W[6] * (g - 3);
    const damped = d + (10 - d) * delta / 9;
    return clampD(W[7] * initialDifficulty(EASY) + (1 - W[7]) * damped);
  }
  function shortTermStability(s, g) {
    let increase = Math.exp(W[17] * (g - 3 + W[18])) * s ** -W[19];
    if (g >= HARD) increase = Math.max(increase, 1);
    return clampS(s * increase);
  }
  function nextStability(d, s, r, g) {
    if (g === AGAIN) {
      const longTerm = W[11] * d ** -W[12] * ((s + 1) ** W[13] - 1) * Math.exp((1 - r) * W[14]);
      return clampS(Math.min(longTerm, s / Math.exp(W[17] * W[18])));
    }
    const hard = g === HARD ? W[15] : 1;
    const easy = g === EASY ? W[16] : 1;
    return clampS(s * (1 + Math.exp(W[8]) * (11 - d) * s ** -W[9] * (Math.exp((1 - r) * W[10]) - 1) * hard * easy));
  }
  function dayNumber(ms) {
    return Math.floor((ms - new Date(ms).getTimezoneOffset() * MINUTE) / DAY);
  }
  function elapsedDays(last, now) {
    return Math.max(0, dayNumber(now) - dayNumber(last));
  }
  // A random number in [0, 1) fixed by a text (the item id and its review count): the same answer
  // on a reload gets the same interval.
  function seeded(text) {
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    h = Math.imul(h ^ (h >>> 15), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
  }
  // Whole days from a stability; fuzz (when a seed is given) spreads intervals of 3 days or more
  // over the range Anki, fsrs and ts-fsrs use, never earlier than the days already elapsed.
  function interval(s, elapsed, seed) {
    const days = Math.min(Math.max(Math.round(s / FACTOR * (RETENTION ** (1 / DECAY) - 1)), 1), MAX_INTERVAL);
    if (seed === undefined || days < 2.5) return days;
    let delta = 1;
    for (const [start, end, factor] of FUZZ_RANGES) delta += factor * Math.max(Math.min(days, end) - start, 0);
    let low = Math.max(2, Math.round(days - delta));
    const high = Math.min(Math.round(days + delta), MAX_INTERVAL);
    if (days > elapsed) low = Math.max(low, elapsed + 1);
    low = Math.min(low, high);
    return Math.floor(seeded(seed) * (high - low + 1) + low);
  }
  // The memory state after rating g: a first review, a same-day review, or one after whole days.
  function memory(card, g, elapsed) {
    if (card.state === NEW) return { s: initialStability(g), d: clampD(initialDifficulty(g)) };
    const s = elapsed < 1 ? shortTermStability(card.s, g) : nextStability(card.d, card.s, retrievability(elapsed, card.s), g);
    return { s, d: nextDifficulty(card.d, g) };
  }
  // One learning (or relearning) step: [next step, minutes] or null when the card graduates.
  function step(steps, current, g) {
    if (g === AGAIN) return [0, steps[0]];
    if (g === HARD) {
      if (current > 0) return [current, steps[current]];
      return [0, steps.length > 1 ? (steps[0] + steps[1]) / 2 : steps[0] * 1.5];
    }
    if (g === GOOD && current + 1 < steps.length) return [current + 1, steps[current + 1]];
    return null;
  }

  /** The card after rating g (1 Again, 2 Hard, 3 Good, 4 Easy) at time now; fuzz on when fuzzSeed is given. */
  function review(card, g, now, fuzzSeed) {
    const elapsed = card.state === NEW ? 0 : elapsedDays(card.last, now);
    const next = { ...card, ...memory(card, g, elapsed), last: now, reps: card.reps + 1 };
    const seed = fuzzSeed === undefined ? undefined : `${fuzzSeed}:${card.reps}`;
    if (card.state === REVIEW) {
      if (g === AGAIN) {
        return { ...next, state: RELEARNING, step: 0, lapses: card.lapses + 1, due: now + RELEARNING_STEPS[0] * MINUTE };
      }
      // Hard, Good and Easy keep their order (as Anki and ts-fsrs do): Good at least a day past Hard, Easy past Good.
      const days = [HARD, GOOD, EASY].map((r) => interval(memory(card, r, elapsed).s, elapsed, seed));
      days[0] = Math.min(days[0], days[1]);
      days[1] = Math.max(days[1], days[0] + 1);
      days[2] = Math.max(days[2], days[1] + 1);
      return { ...next, state: REVIEW, step: 0, due: now + days[g - HARD] * DAY };
    }
    const learning = card.state === RELEARNING ? RELEARNING_STEPS : LEARNING_STEPS;
    const moved = step(learning, card.state === NEW ? 0 : card.step, g);
    if (moved) {
      return { ...next, state: card.state === NEW ? LEARNING : card.state, step: moved[0], due: now + moved[1] * MINUTE };
    }
    return { ...next, state: REVIEW, step: 0, due: now + interval(next.s, elapsed, seed) * DAY };
  }

  const newCard = () => ({ state: NEW, step: 0, s: 0, d: 0, due: 0, last: 0, reps: 0, lapses: 0 });
  /** Whether a card is due at time now: a review card on its due date, a learning step at its minute. */
  function isDue(card, now) {
    if (card.state === NEW) return false;
    return card.state === REVIEW ? dayNumber(card.due) <= dayNumber(now) : card.due <= now;
  }
  return { review, newCard, isDue, dayNumber, NEW, LEARNING, REVIEW, RELEARNING, MINUTE, DAY };
})();
