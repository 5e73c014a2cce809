"""The relation between items by names and content (``generator.relations``), the quiz selection
that keeps related items apart, and the one cloze grammar relations read cloze items with.

The simulation at the end judges sheets with a detector of its own (plain string tests written
here, not the relation code), so that it is not the code checking itself."""

from __future__ import annotations

import dataclasses
import re
import time
from collections import Counter
from itertools import permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import facts
from generator.cloze import CLOZE
from generator.duplicates import duplicate_record
from generator.model import Basic, Claim, Claims, Cloze, Event, Item, Match, Mcq, Order, Pair, Quote, SourceRef, TrueFalse
from generator.pipeline import check_project
from generator.relations import Relations, answers, shown
from generator.sources import Corpus
from generator.terms import content, named, names, tokens
from generator.worksheet.layout import QuizSpec, layout_quiz
from generator.worksheet.quizzes import select

from .conftest import REPO

REF = SourceRef(doc="wikipedia-siege", excerpt="x")


@pytest.fixture(scope="module")
def bank():
    """The shipped bank, checked (its items are usable even while it has warnings of its own)."""
    return check_project(REPO)


def _cloze(text: str) -> Cloze:
    return Cloze(id="c", type="cloze", text=text, source=REF)


def test_unclosed_cloze_markers_are_read_in_linear_time(starter) -> None:
    item = _cloze("{{c1::" * 1000)  # a lazy-group regex took cubic time on this (19.5 s for check)
    start = time.perf_counter()
    found = (answers(item), shown(item), duplicate_record(item, starter.corpus))
    assert time.perf_counter() - start < 1.0
    assert found[0] == frozenset() and "{{c1::" in found[1]


def test_cloze_answers_and_shown_text_follow_the_one_grammar() -> None:
    item = _cloze("Founded by {{c1::Maulana Qari Abdullah}} in {{c2::1965::year}}.")
    assert answers(item) == {"maulana qari abdullah", "1965"}
    assert shown(item) == "founded by in year."


# --- names and words ----------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "text", "found"), [
    ("Ayman al-Zawahiri, al-Qaeda's deputy leader", "Zawahiri issued a videotape", True),
    ("Ayman al-Zawahiri, al-Qaeda's deputy leader", "Al-Qaeda's second-in-command, al-Zawahiri, spoke", True),
    ("Ayman al-Zawahiri, al-Qaeda's deputy leader", "al-Qaeda's deputy leader spoke", False),  # the role names nobody
    ("Shaukat Aziz, Prime Minister of Pakistan", "Prime Minister Aziz said", True),
    ("Shaukat Aziz, Prime Minister of Pakistan", "Abdul Aziz was captured", False),  # another man's surname
    ("Maulana Qari Abdullah", "Qari Abdullah founds Lal Masjid", True),
    ("Maulana Qari Abdullah", "Maulana Muhammad Abdullah is assassinated", False),
    ("Pervez Musharraf, in a nationally televised address", "General Musharraf's aircraft", True),
    ("The Islam (Pakistani newspaper)", "the Islamists and Islam", False),
    ("The Islam (Pakistani newspaper)", "The Islam criticised the government", True),
    ("The European Union, in a statement issued by its President", "the European Union praised", True),
    ("Inspector General of Police (IGP)", "the IGP's total", True),
    ("Inspector General of Police (IGP)", "the police fired", False),
    ("Government of Pakistan", "the Government of Pakistan said", False),  # nothing distinctive
])
def test_a_name_is_found_by_its_distinctive_part(who: str, text: str, found: bool) -> None:
    assert any(named(name, tokens(text)) for name in names(who)) is found


def test_answers_that_are_no_name_give_none() -> None:
    assert names("In a bunker in the basement of Jamia Hafsa") == ()
    assert names("Backlash, and the forced removal of any other appointee") == ()
    assert [n.words for n in names("Photo caption in Abid Mustafa's IslamiCity piece", whole=False)] == \
        [("Abid", "Mustafa"), ("IslamiCity",)]


def test_words_compare_by_stem_without_function_words() -> None:
    assert content("Ninth Wing Companies") & content("a company of the army") == {"company"}
    assert content("the troops stormed it") & content("the storming of the mosque") == {"storm"}
    assert content("The IGP's count") == {"igp", "count"}


# --- reasons on constructed items ---------------------------------------------------------------


def _relate(*items: Item) -> Relations:
    return Relations(items, Corpus({}))


def test_a_speaker_named_in_another_question_is_related_by_name() -> None:
    quote = Quote(id="q", type="quote", quotation="Rise up.", speaker="Ayman al-Zawahiri, al-Qaeda's deputy leader",
                  context="A message after the storming.", source=REF)
    basic = Basic(id="b", type="basic", question="What did Zawahiri's videotape of 11 July call for?", answer="jihad",
                  source=REF)
    other = Basic(id="o", type="basic", question="Who led al-Qaeda's media arm?", answer="as-Sahab", source=REF)
    relate = _relate(quote, basic, other)
    assert relate.reasons(quote, basic) == {"name"} and relate.reasons(basic, quote) == {"name"}
    assert relate.reasons(quote, other) == frozenset()


def _order(ident: str, *events: tuple[str, str]) -> Order:
    return Order(id=ident, type="order", prompt="Put these in order.",
                 events=tuple(Event(date=d, text=t, source=REF) for d, t in events))


def test_order_items_sharing_two_events_are_one_timeline() -> None:
    a = _order("a", ("1965", "Maulana Qari Abdullah founds Lal Masjid"), ("1989", "The Soviet–Afghan War ends"),
               ("1998", "Maulana Qari Abdullah is assassinated"))
    b = _order("b", ("1965", "Lal Masjid is built"), ("1979", "The Soviet–Afghan War begins"),
               ("1998", "Maulana Muhammad Abdullah is assassinated"))
    c = _order("c", ("1965", "Lal Masjid is built"), ("2008", "A bomb explodes"), ("2009", "The mosque is rebuilt"))
    relate = _relate(a, b, c)
    assert relate.reasons(a, b) == {"timeline"}
    assert relate.reasons(a, c) == frozenset()  # one shared event is not a timeline twice


def test_match_and_claims_items_sharing_a_pair_are_related() -> None:
    a = Claims(id="a", type="claims", question="How many militants were inside?",
               claims=(Claim(claimant="Government of Pakistan, by 10 July", value="100 militants", source=REF),
                       Claim(claimant="Abdul Rashid Ghazi", value="30 rebels", source=REF)))
    b = Claims(id="b", type="claims", question="How many people remained inside?",
               claims=(Claim(claimant="Government of Pakistan, by 10 July", value="100 armed men and 300 women",
                             source=REF),
                       Claim(claimant="Encyclopedia article", value="hundreds of students", source=REF)))
    c = Match(id="c", type="match", prompt="Match.", pairs=tuple(Pair(left=f"L{n}", right=f"R{n}", source=REF)
                                                                  for n in range(3)))
    relate = _relate(a, b, c)
    assert relate.reasons(a, b) == {"pair"}
    assert relate.reasons(a, c) == frozenset()


def test_a_claims_row_printed_elsewhere_with_its_figure_is_related_by_name() -> None:
    claims = Claims(id="a", type="claims", question="How many died?",
                    claims=(Claim(claimant="Muttahida Majlis-e-Amal (MMA)", value="between 400 and 1,000 students",
                                  source=REF),
                            Claim(claimant="Government of Pakistan", value="154 deaths", source=REF)))
    figure = Basic(id="b", type="basic", question="How many dead did the MMA claim, 1,000 or more?", answer="x",
                   source=REF)
    mention = Basic(id="c", type="basic", question="Which parties formed the MMA?", answer="six", source=REF)
    relate = _relate(claims, figure, mention)
    assert relate.reasons(claims, figure) == {"name"}
    assert relate.reasons(claims, mention) == frozenset()  # the claimant alone gives no figure away


def test_a_false_statement_is_given_away_by_its_correction_s_telling_words() -> None:
    tf = TrueFalse(id="t", type="truefalse", statement="The siege ended with a negotiated surrender.", answer=False,
                   correction="The negotiations failed and the Special Service Group stormed the mosque.", source=REF)
    storming = Basic(id="b", type="basic", question="How many died in the siege and storming?", answer="154",
                     source=REF)
    surrender = Basic(id="c", type="basic", question="Who negotiated the surrender terms?", answer="Shujaat",
                      source=REF)
    relate = _relate(tf, storming, surrender)
    assert relate.reasons(tf, storming) == {"verdict"}
    assert relate.reasons(tf, surrender) == frozenset()  # the statement's own words give nothing away


# --- selection -----------------------------------------------------------------------------------


def _statements(verdict: bool, count: int) -> list[TrueFalse]:
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    return [TrueFalse(id=f"{verdict}-{n}", type="truefalse", statement=f"Statement {words[n]} {verdict}.",
                      answer=verdict, correction=None if verdict else f"{words[n]}{words[n]}.", source=REF)
            for n in range(count)]


@pytest.mark.parametrize("asked", [2, 4, 6])
def test_true_false_section_is_mixed_when_the_pool_allows(asked: int) -> None:
    pool = _statements(False, 8) + _statements(True, 3)  # each true one related to one false one (verdict)
    for seed in range(50):
        verdicts = Counter(item.answer for item in select(pool, asked, seed, Corpus({})))
        assert verdicts[True] >= 1 and verdicts[False] >= 1 and sum(verdicts.values()) == asked, (seed, verdicts)
        assert abs(verdicts[True] - verdicts[False]) <= 2, (seed, verdicts)


def test_true_false_sections_of_the_bank_are_mixed(bank) -> None:
    items = bank.project.items
    relate = Relations(items, bank.corpus)
    mixed = one_sided = 0
    for seed in range(100):
        verdicts = {item.answer for item in select(items, 40, seed, bank.corpus, relate) if isinstance(item, TrueFalse)}
        mixed += verdicts == {True, False}
        one_sided += len(verdicts) == 1
    assert mixed > 9 * one_sided, (mixed, one_sided)


def test_multiple_choice_answers_stay_spread_over_the_positions(bank) -> None:
    items = bank.project.items
    relate = Relations(items, bank.corpus)
    letters: Counter[str] = Counter()
    for seed in range(60):
        chosen = select(items, 40, seed, bank.corpus, relate)
        data = layout_quiz(chosen, bank.corpus, QuizSpec("Q", seed), seed % 2)
        letters.update(q["short"] for s in data["sections"] if s["key"] == "mcq" for q in s["questions"])
    total = sum(letters.values())
    assert total > 200 and len(letters) >= 4
    assert max(letters.values()) < 0.4 * total, letters


# --- the simulation: 300 sheets of 40 from the bank and from each deck --------------------------

_STOP = frozenset("""the a an of and or in on at to for by from with as is was were be been it its this that his
    her their he she they who what which when where how why did do does not no after before during into about than
    lal masjid mosque red islamabad pakistan pakistani government army july 2007 siege encyclopedia article news
    digest sources officials""".split())
_TITLES = frozenset("""The Maulana Qari General President Prime Minister Mr Dr Senator Chief Justice Deputy Interior
    Federal Senior Director Advisor Foreign Secretary Inspector Chaudhry Shaikh Sheikh US""".split())


# What a sheet prints of each kind of item before it is answered: fields, "list.field" for parts.
_PRINTS = {"basic": "question", "mcq": "question answer distractors", "truefalse": "statement",
           "quote": "quotation context", "match": "prompt pairs.left pairs.right",
           "claims": "question claims.claimant claims.value", "order": "prompt events.text"}


def _printed(item: Item) -> str:
    """What a sheet prints of the item before it is answered (a cloze: its text, blanks as ____, and hints)."""
    if isinstance(item, Cloze):
        return " | ".join([" ____ ".join(re.split(r"\{\{c\d+::[^{}]*\}\}", item.text)),
                           *(m[3] for m in CLOZE.finditer(item.text) if m[3])])
    texts: list[str] = []
    for field in _PRINTS[item.kind].split():
        name, _, part = field.partition(".")
        value = getattr(item, name)
        texts += [getattr(v, part) for v in value] if part else list(value) if isinstance(value, tuple) else [value]
    return " | ".join(texts)


def _lead(text: str) -> str:
    return re.split(r",|\(| as quoted| in (?:his|its|a) | of the ", text)[0].strip()


def _stands(phrase: str, text: str, case: bool = False) -> list[re.Match[str]]:
    if (phrase if case else phrase.casefold()) not in (text if case else text.casefold()):
        return []
    return list(re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, 0 if case else re.I))


def _speaker_named(speaker: str, text: str) -> bool:
    """The speaker's surname stands in the text, not as another person's ("Abdul Aziz" is not Shaukat Aziz)."""
    words = [w for w in re.findall(r"[A-Z][\w'’-]*", _lead(speaker)) if w not in _TITLES]
    if not words:
        return False
    surname = re.sub(r"^(?:al|Al)-", "", words[-1])
    if len(words) == 1 and surname.casefold() in _STOP:
        return False
    for m in _stands(surname, text, case=True):
        before = re.findall(r"[\w'’-]+", text[: m.start()])
        if not (before and before[-1][:1].isupper() and before[-1] not in words and before[-1] not in _TITLES):
            return True
    return False


def _figures(text: str) -> set[str]:
    return {n for n in (d.replace(",", "") for d in re.findall(r"\d[\d,]*", text))
            if int(n) >= 10 and not 1900 <= int(n) < 2100}


def _give_away(a: Item, seen: str) -> str | None:
    """Why ``a``'s answer shows in ``seen``, what another question prints, or None."""
    if isinstance(a, Quote) and _speaker_named(a.speaker, seen):
        return f"speaker {a.speaker}"
    if isinstance(a, Claims):
        for claim in a.claims:
            name = _lead(claim.claimant)
            if (any(w.casefold() not in _STOP for w in re.findall(r"[A-Z]\w+", name)) and _stands(name, seen)
                    and _figures(claim.value) & _figures(seen)):
                return f"claim {name}: {claim.value}"
    found = [a.answer] if isinstance(a, Basic | Mcq) else [m[2] for m in CLOZE.finditer(a.text)] \
        if isinstance(a, Cloze) else []
    for answer in found:
        phrase = re.sub(r"^(?:the|a|an) ", "", _lead(answer), flags=re.I)
        if len([w for w in re.findall(r"\w+", phrase) if w.casefold() not in _STOP]) >= 2 and _stands(phrase, seen):
            return f"answer {phrase}"
    return None


def _twins(a: Item, b: Item) -> str | None:
    """Two order items sharing two events, or two match/claims items sharing a pair."""
    if not (isinstance(a, Order | Match | Claims) and isinstance(b, Order | Match | Claims)):
        return None
    if isinstance(a, Order) and isinstance(b, Order):
        theirs = {str(facts.parse_date(e.date)) for e in b.events} | {e.text.casefold() for e in b.events}
        shared = [e.date for e in a.events if str(facts.parse_date(e.date)) in theirs or e.text.casefold() in theirs]
        return f"events {shared}" if len(shared) >= 2 else None
    pairs = [{(p.left.casefold(), p.right.casefold()) for p in x.pairs} if isinstance(x, Match) else
             {(c.claimant.casefold(), c.value.casefold()) for c in x.claims} if isinstance(x, Claims) else set()
             for x in (a, b)]
    return f"pairs {pairs[0] & pairs[1]}" if pairs[0] & pairs[1] else None


def _pools(bank) -> list[tuple[str, list[Item]]]:
    return [("bank", list(bank.project.items)), *((deck.path, list(deck.items)) for deck in bank.project.decks)]


def test_no_sheet_has_a_give_away_or_a_twin(bank) -> None:
    """300 seeds x 40 questions from the whole bank and from each deck, chosen by the function
    ``studydeck quiz`` and ``build`` use: no pair on any sheet gives one away or asks it twice."""
    found = []
    for name, items in _pools(bank):
        printed = {item.id: _printed(item) for item in items}
        problems = {(a.id, b.id): why for a, b in permutations(items, 2)
                    if (why := _give_away(a, printed[b.id]) or (a.id < b.id and _twins(a, b)))}
        relate = Relations(items, bank.corpus)
        for seed in range(300):
            sheet = select(items, 40, seed, bank.corpus, relate)
            found += [(name, seed, a.id, b.id, problems[a.id, b.id]) for a, b in permutations(sheet, 2)
                      if (a.id, b.id) in problems]
    assert not found, found[:10]


def test_the_simulation_detector_finds_what_it_looks_for() -> None:
    """The detector is not blind: it flags a named speaker, a timeline twice and a shared pair,
    and not another man of the same surname."""
    zawahiri = Quote(id="q", type="quote", quotation="Rise up.", speaker="Ayman al-Zawahiri, al-Qaeda's deputy leader",
                     context="A message.", source=REF)
    aziz = Quote(id="a", type="quote", quotation="A success.", speaker="Shaukat Aziz, Prime Minister of Pakistan",
                 context="An assessment.", source=REF)
    aftermath = _order("o", ("11 July 2007", "Al-Qaeda's second-in-command, al-Zawahiri, issues a videotape"),
                       ("6 July 2008", "A bomb explodes"), ("2009", "Abdul Aziz returns"))
    later = _order("p", ("6 July 2008", "A bomb explodes near Lal Masjid"), ("2009", "The mosque is rebuilt"),
                   ("2015", "A film is released"))
    claims = Claims(id="c", type="claims", question="How many?",
                    claims=(Claim(claimant="IGP", value="102 killed", source=REF),
                            Claim(claimant="MMA", value="1,000 killed", source=REF)))
    assert _give_away(zawahiri, _printed(aftermath)) and not _give_away(aziz, _printed(aftermath))
    assert _twins(aftermath, later) and _twins(claims, dataclasses.replace(claims, id="d"))
    assert not _twins(aftermath, claims)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.text(alphabet="ab", max_size=9), max_size=40))
def test_quotations_related_through_the_index_are_those_a_scan_finds(quotations: list[str]) -> None:
    """The near-duplicate check finds the quotations that contain a new one or lie within it
    through an index of their pieces: the same first positions as a scan of every one seen."""
    from generator.duplicates import _Quotations

    index, first = _Quotations(), {}
    for n, quotation in enumerate(quotations):
        assert index.meet(quotation, n) == {m for q, m in first.items() if q in quotation or quotation in q}
        first.setdefault(quotation, n)

