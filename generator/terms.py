"""Words that tell: content words reduced to a stem, and the distinctive names in a text. No I/O.

Both the relation between items (``relations``) and the self-answering-pair lint (``validate``)
compare texts by these, so "Company" and "company", "storming" and "stormed" are one term, and
"Ayman al-Zawahiri, al-Qaeda's deputy leader" is found wherever a question prints "Zawahiri".

Names
    A name is a run of capitalised words ("Abdul Rashid Ghazi", "Muttahida Majlis-e-Amal",
    "Inter Services Public Relations"), linked by name particles ("of", "bin", "ul") and stripped
    of titles ("Maulana", "General", "President", see :data:`TITLES`), plus any bracketed
    abbreviation ("(IGP)"). A text is *named* in another where the whole name stands (case
    kept), where the abbreviation stands, or, for a person's name, where the surname stands and
    the word before it is not another capitalised name ("Aziz" names Shaukat Aziz in "Prime
    Minister Aziz", not in "Abdul Aziz"). A name that starts with "The" ("The News", "The
    Islam") or ends in a word for a body ("Group", "Times", see :data:`BODIES`) is only found whole.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# Function words: never a term.
STOP = frozenset(
    """a an the of and or nor but in on at to for by from with as into onto upon about after before during
    than then that this these those there here is are was were be been being am it its it's he she they them his
    her their hers theirs him we us our you your i me my who whom whose which what when where why how not no
    yes so if also only very more most some any such other same each every all both either neither one's own
    has have had do does did can could may might must shall should will would because although while since
    though""".split()
)
# Words every question of this subject uses: a shared one tells nothing.
COMMON = frozenset(
    """lal masjid mosque red islamabad pakistan pakistani government army july 2007 siege according article
    encyclopedia say said says true false january february march april may june august september october
    november december""".split()
)
# Words of any account of events (reporting, quantity, sequence): a shared one gives no verdict away.
GENERIC = frozenset(
    """accord report many over call support against given give final event least public one two several place
    came come follow led use made make took take way time day year people student operat official security
    minister number later earlier first last also well even still just like part state""".split()
)
TITLES = frozenset(
    """The Maulana Mullah Qari Hafiz Imam Sheikh Shaikh Chaudhry General Gen Lieutenant Colonel Brigadier Major
    Captain President Vice Prime Minister Deputy Interior Federal Senior Foreign Chief Justice Judge Director
    Inspector Secretary Advisor Adviser Spokesman Spokesperson Senator Commissioner Mr Mrs Ms Dr Sir Lord Lt Col
    Maj Capt Brig US UK""".split()
)
BODIES = frozenset(
    """Group Division Company Brigade Force Forces Police Army Party Union Association Council Court Ministry
    Department Office Authority Agency Relations Intelligence Times News Post Observer Daily Channel Service
    Services Foundation Institute Committee Commission Bureau Cell Network Coalition Alliance Movement Front
    League Assembly Parliament Senate Bank University School Masjid Mosque Hafsa Madrasa Seminary Talk TV
    Amal Socialists Worker Jazeera""".split()
)
_PARTICLES = frozenset("of bin ibn al el ul e i de da van von".split())
_TOKEN = re.compile(r"[^\W_]+(?:[-'\u2019][^\W_]+)*")
_CONTENT = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")  # "IGP's" is one word, "second-in-command" three
_ABBREVIATION = re.compile(r"\(([A-Z][A-Z0-9]{1,7})\)")
# Where the name part of "Name, role" or "Name (what) ..." ends.
_LEAD_END = re.compile(r",(?!\s*(?:and|or|but)\b)|[;:(\u201c\"]| as (?:quoted|reported|cited)\b"
                       r"| in (?:his|her|its|their|a|an) | who | of the ")


def stem(word: str) -> str:
    """A word's comparison stem: case-folded, possessive dropped, plural and -ing/-ed endings
    cut ("Companies" -> "company", "storming"/"stormed" -> "storm")."""
    w = word.casefold().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith(("sses", "shes", "ches", "xes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 7 and w.endswith("ion"):
        w = w[:-3]  # "negotiation" -> "negotiat", as "negotiated" gives
    for ending in ("ing", "ed"):
        if len(w) > len(ending) + 3 and w.endswith(ending):
            w = w[: -len(ending)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "ls":
                w = w[:-1]  # "stopped" -> "stop"
            break
    return w


@functools.lru_cache(maxsize=65536)
def content(text: str) -> frozenset[str]:
    """The stems of the text's content words (no function words)."""
    return frozenset(stem(w) for w in _CONTENT.findall(text) if w.casefold() not in STOP and (len(w) > 1 or w.isdigit()))


def telling(text: str) -> frozenset[str]:
    """The stems of the text's content words that tell a fact: not :data:`COMMON` to the subject,
    not :data:`GENERIC` to any account, and no small number (a number tells when it is a year or
    at least 100)."""
    return frozenset(s for s in content(text) if s not in COMMON and s not in GENERIC
                     and (not s.isdigit() or int(s) >= 100))


@dataclass(frozen=True)
class Name:
    """A distinctive name: its words (titles stripped), and whether a surname alone may stand
    for it (a person's name of two or more words)."""

    words: tuple[str, ...]
    by_surname: bool

    @property
    def surname(self) -> str:
        return core(self.words[-1])


def core(token: str) -> str:
    """A name token without a leading article particle ("al-Zawahiri" -> "Zawahiri")."""
    head, sep, rest = token.partition("-")
    return rest if sep and head.casefold() in ("al", "el") and rest[:1].isupper() else token


def _capitalised(token: str) -> bool:
    return any(part[:1].isupper() for part in re.split(r"[-'\u2019]", token))


def lead(text: str) -> str:
    """The part of "Name, role" that names: up to the first comma, bracket or role clause."""
    return _LEAD_END.split(text, maxsplit=1)[0]


@functools.lru_cache(maxsize=65536)
def names(text: str, whole: bool = True) -> tuple[Name, ...]:
    """The distinctive names a text gives for who or what it is. ``whole``: only when the text's
    lead is nothing but a name (an answer "Abdul Rashid Ghazi, the deputy" is a name; "in a
    bunker of Jamia Hafsa" is not); otherwise every name in the lead ("Photo caption in Abid
    Mustafa's opinion piece" names Abid Mustafa). Bracketed abbreviations count either way."""
    found: list[Name] = []
    runs: list[list[str]] = [[]]
    for token in _TOKEN.findall(lead(text)):
        possessive = token.endswith(("'s", "\u2019s"))
        token = token[:-2] if possessive else token
        if _capitalised(token) or (runs[-1] and token in _PARTICLES):
            runs[-1].append(token)
        elif whole:
            return tuple(_abbreviations(text))
        else:
            runs.append([])
        if possessive:
            runs.append([])
    if whole and len([r for r in runs if r]) > 1:
        runs = [[t for r in runs for t in r]]
    for n, run in enumerate(runs):
        while run and run[-1] in _PARTICLES:
            run.pop()
        article = bool(run) and run[0] == "The"
        titled = [i for i, t in enumerate(run) if t in TITLES]
        if titled and titled[-1] < len(run) - 1:
            del run[: titled[-1] + 1]  # "Interior Minister Aftab Ahmad Sherpao" -> "Aftab Ahmad Sherpao"
        while run and run[0] in _PARTICLES:
            run.pop(0)
        if article and len(run) == 1:
            run.insert(0, "The")  # "The Post", "The Islam": found whole only
        if (not run or all(_plain(t) and t not in BODIES for t in run) or (len(run) == 1 and run[0] in BODIES)
                or (len(run) == 1 and not whole and n == 0 and not titled)):
            continue  # nothing distinctive, or one capitalised word opening a sentence ("Photo caption in ...")
        last = core(run[-1]).rsplit("-", 1)[-1]
        person = (not article and len(run) >= 2 and not any(core(t).rsplit("-", 1)[-1] in BODIES for t in run)
                  and not _plain(last))
        found.append(Name(tuple(run), person))
    return tuple(found + _abbreviations(text))


def _plain(token: str) -> bool:
    """A word that names nothing on its own: a function word, a word of the subject, a body."""
    folded = token.casefold()
    return folded in STOP or folded in COMMON or token in BODIES or token in TITLES


def _abbreviations(text: str) -> list[Name]:
    return [Name((m,), False) for m in _ABBREVIATION.findall(text)]


def named(name: Name, tokens: tuple[str, ...]) -> bool:
    """Whether the name stands in a text given as its :func:`tokens`."""
    size = len(name.words)
    alone = name.by_surname or size == 1  # a word that may stand for another's name too
    for i, token in enumerate(tokens):
        if size > 1 and tokens[i : i + size] == name.words:
            return True
        if alone and core(token) == name.surname:
            before = tokens[i - 1] if i else ""
            if not (_capitalised(before) and before not in TITLES and before not in name.words
                    and before not in _PARTICLES):
                return True
    return False


@functools.lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """The text's words, case kept, possessives dropped ("Musharraf's" -> "Musharraf")."""
    return tuple(t[:-2] if t.endswith(("'s", "\u2019s")) else t for t in _TOKEN.findall(text))
