"""Compile stage for GIFT: one deck -> a GIFT file (bytes, nothing written).

Written as Moodle's own GIFT exporter writes (question/format/gift): ``\\ # = ~ { } :`` are
escaped with a backslash and a newline is written ``\\n``. Every text is ``[plain]``, so Moodle
shows it as text, never as markup. The item id and tags ride in the comment before each question
(``// [id:...] [tag:...]``), the excerpts and citations in the general feedback (``####``).

GIFT has multiple choice, true/false, short answer, matching, essay and one-blank "missing word"
questions. Which one an item becomes follows :func:`.common.asked`: a short typed answer is
auto-marked (short answer, missing word), a long one is an essay (``{}``) a teacher marks, with the
model answer first in the general feedback. An answer starting ``%NN%`` would be read as a weight
(GIFT has no escape for ``%``): it is written after a ``[plain]`` format marker, which both Moodle's
parser and gift-pegjs read before the text but after any weight. Items it cannot carry (order
items; cloze items with several blanks; a text holding ``->``, which Moodle would read as a
matching question) are listed in a comment at the top of the file and returned, never dropped
silently.
"""

from __future__ import annotations

from ..load import Project
from ..model import Basic, Claims, Cloze, Deck, Item, Match, Mcq, Order, Quote, TrueFalse
from ..sources import Corpus
from ..wording import plural
from .common import asked, blanked, cloze_parts, evidences, model_answer, quote_distractors, several_blanks, stem
from .moodle import category_path

_RESERVED = str.maketrans({"\\": "\\\\", "#": "\\#", "=": "\\=", "~": "\\~", "{": "\\{", "}": "\\}", ":": "\\:",
                           "\n": "\\n", "\r": ""})


def repchar(text: str) -> str:
    """Text with GIFT's reserved characters escaped, as Moodle's exporter does."""
    return text.translate(_RESERVED)


def _rich(text: str) -> str:
    """An answer or feedback text: escaped, and marked [plain] where it would otherwise be read as
    a format (``[``) or a weight (``%``)."""
    return ("[plain]" if text.lstrip().startswith(("[", "%")) else "") + repchar(text)


def _short(accepted: list[str]) -> list[str]:
    """Accepted answers, ``*`` escaped (Moodle's short-answer wildcard)."""
    return [a.replace("*", "\\*") for a in accepted]


class _Writer:
    def __init__(self, project: Project, corpus: Corpus) -> None:
        self.project = project
        self.corpus = corpus

    def general(self, item: Item, extra: str = "") -> str:
        """The general feedback: answer summary, each excerpt and its citation, the note."""
        lines = [extra] if extra else []
        for ev in evidences(self.corpus, item):
            lines += [f"\u201c{ev.excerpt}\u201d", f"\u2014 {ev.cite}"]
        if item.note:
            lines.append(item.note)
        return "\n".join(lines)

    def question(self, deck: Deck, item: Item) -> tuple[str | None, str]:
        """(the question's kind, its GIFT text) or (None, why GIFT cannot carry it)."""
        kind, text, block = self.body(item)
        if kind is None:
            return None, block
        if "->" in block and not isinstance(item, (Match, Claims)):
            return None, "a text holds '->', which Moodle's GIFT import reads as a matching question"
        tags = dict.fromkeys([f"deck-{deck.slug}", f"type-{item.kind}", *item.tags])
        meta = f"// [id:{item.id}] " + " ".join(f"[tag:{t}]" for t in tags)
        return kind, f"{meta}\n::{repchar(item.id)}::[plain]{text}{block}\n"

    def body(self, item: Item) -> tuple[str, str, str] | tuple[None, str, str]:
        """(question kind, question text, answer block), or (None, "", reason)."""
        how, typed = asked(self.project, item)
        if how == "teacher":
            return self.essay(item)
        general = f"\t####{_rich(self.general(item))}\n"
        if isinstance(item, Basic):
            return "short answer", repchar(item.question), self.short(typed[0], general)
        if isinstance(item, Mcq):
            return "multiple choice", repchar(item.question), self.choices(item.answer, list(item.distractors), general)
        if isinstance(item, Quote):
            if how == "typed":
                return "short answer", repchar(stem(item)), self.short(typed[0], general)
            return "multiple choice", repchar(stem(item)), \
                self.choices(item.speaker, quote_distractors(self.project, item), general)
        if isinstance(item, TrueFalse):
            if item.answer:
                wrong, right = "No: the statement is true.", "Correct: the statement is true."
            else:
                wrong = f"No: the statement is false. {item.correction or ''}".strip()
                right = f"Correct: it is false. {item.correction or ''}".strip()
            return "true/false", repchar(item.statement), \
                f"{{{'T' if item.answer else 'F'}#{_rich(wrong)}#{_rich(right)}\n{general}}}"
        if isinstance(item, Cloze):
            return self.cloze(item, typed, general)
        if isinstance(item, Order):
            return None, "", "GIFT has no ordering question"
        if isinstance(item, Match):
            pairs, prompt = [(p.left, p.right) for p in item.pairs], item.prompt
        else:
            assert isinstance(item, Claims)
            pairs = [(c.claimant, c.value) for c in item.claims]
            prompt = f"{item.question} The sources disagree: match each claimant with what they claimed."
        if any("->" in left for left, _ in pairs):
            return None, "", "a left-hand side holds '->', which GIFT cannot escape"
        rows = "".join(f"\t={_rich(left)} -> {repchar(right)}\n" for left, right in pairs)
        return "matching", repchar(prompt), f"{{\n{rows}{general}}}"

    def essay(self, item: Item) -> tuple[str, str, str]:
        """A question a teacher marks (``{}``): the model answer first in the general feedback."""
        if isinstance(item, Cloze):
            numbered = ", numbered" if several_blanks(item.text) else ""
            text = f"Write the missing words{numbered}: {blanked(item.text)}"
        else:
            text = f"{stem(item)} (Answer in a few words or a sentence; your teacher marks this question.)"
        general = self.general(item, f"Model answer: {model_answer(item)}")
        return "essay", repchar(text), f"{{\n\t####{_rich(general)}\n}}"

    def short(self, accepted: list[str], general: str) -> str:
        rows = "".join(f"\t={_rich(a)}#Correct.\n" for a in _short(accepted))
        return f"{{\n{rows}{general}}}"

    def choices(self, right: str, wrong: list[str], general: str) -> str:
        rows = f"\t={_rich(right)}#Correct.\n" + "".join(
            f"\t~{_rich(w)}#{_rich(f'No: the answer is {right}.')}\n" for w in wrong)
        return f"{{\n{rows}{general}}}"

    def cloze(self, item: Cloze, typed: list[list[str]], general: str) -> tuple[str, str, str] | tuple[None, str, str]:
        parts = cloze_parts(item.text)
        blanks = [p for p in parts if isinstance(p, tuple)]
        if len(blanks) != 1:
            return None, "", f"GIFT has one blank per question; this cloze has {len(blanks)}"
        at = next(i for i, p in enumerate(parts) if isinstance(p, tuple))
        hint = blanks[0][1]
        before = repchar("".join(p for p in parts[:at] if isinstance(p, str)))
        after = "".join(p for p in parts[at + 1 :] if isinstance(p, str))
        after = repchar((f" ({hint})" if hint else "") + after)
        rows = "".join(f"={_rich(a)}#Correct. " for a in _short(typed[0]))
        return "missing word", before, f"{{{rows}\n{general}}}{after}"


def render_gift(deck: Deck, project: Project, corpus: Corpus) -> tuple[bytes, dict[str, int], list[tuple[str, str]]]:
    """One deck as GIFT: the file, how many questions of each kind it holds, and the
    (item id, reason) of each item it cannot carry."""
    assert project.config is not None
    writer = _Writer(project, corpus)
    counts: dict[str, int] = {}
    skipped: list[tuple[str, str]] = []
    questions = []
    for item in deck.items:
        kind, text = writer.question(deck, item)
        if kind is None:
            skipped.append((item.id, f"{item.kind}: {text}"))
            continue
        questions.append(text)
        counts[kind] = counts.get(kind, 0) + 1
    head = [f"// {project.config.collection}: {deck.deck}. GIFT questions written by studydeck from the checked bank.",
            "// Import in Moodle: Question bank > Import > GIFT format (see the project README)."]
    if skipped:
        head.append(f"// {plural(len(skipped), 'item')} GIFT cannot carry, left out of this file"
                    " (the Moodle XML file has them):")
        head += [f"//   {item_id} ({why})" for item_id, why in skipped]
    head.append(f"\n$CATEGORY: {category_path(project.config.collection, deck)}\n")
    return ("\n".join(head) + "\n" + "\n".join(questions)).encode("utf-8"), counts, skipped
