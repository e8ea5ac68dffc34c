"""Topic tagging, shared by the platform: keyword rules over an organisation's taxonomy, labels only on the wire.

Messaging tags delivered messages (MessageSent), matching tags goal titles (GoalSet) with the
organisation's taxonomy (topic_taxonomy.py); the text never leaves either service.

A topic is a set of
cue patterns (words or phrases, matched on word boundaries in lower case); a message takes
every topic whose cues it contains, and `small-talk` only when it takes no other topic and
looks like greetings, thanks or arrangements (or is very short). An organisation's taxonomy
may add topics with their own cue words, rename labels or drop topics. Tuned only on
bench/data/topics/tune.jsonl; measured on the held-out set by bench/topics.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

SMALL_TALK = "small-talk"

# topic id -> (label, cue patterns). Patterns are regular expressions over lower-cased text.
DEFAULT_TAXONOMY: dict[str, tuple[str, tuple[str, ...]]] = {
    "university-applications": ("University applications", (
        r"unis?", r"universit(y|ies)", r"ucas", r"offers?", r"insurance (choice|offer)?", r"firm (choice|offer)",
        r"entry requirements?", r"open days?", r"oxbridge", r"oxford", r"cambridge", r"clearing", r"adjustment",
        r"tuition fees?", r"contextual offer", r"degree course", r"(five|5) choices", r"defer", r"russell group",
        r"admissions? tests?", r"(lnat|ucat|bmat|tsa)", r"accomm?odation", r"halls",
    )),
    "apprenticeships": ("Apprenticeships", (
        r"apprentice(ship)?s?", r"degree apprenticeships?", r"level [2-7] apprenticeship",
    )),
    "careers-and-jobs": ("Careers and jobs", (
        r"careers?", r"jobs? (like|is like)", r"what (does|do) an? \w+ (even |actually )?do", r"be an? \w+ when",
        r"want to (be|become) an?", r"become an? \w+", r"work (with|in) \w+", r"jobs (in|that|pay)",
        r"part[- ]time job", r"(weekend|saturday) job", r"got a job", r"professions?", r"industry", r"sectors?",
        r"what did u want to be", r"(engineer|journalist|pilot|nurse|doctor|lawyer|accountant|teacher|developer)s?\b",
        r"(your|ur) (job|career|work)", r"day to day", r"pays? well",
    )),
    "cvs-and-applications": ("CVs and applications", (
        r"cvs?", r"cover letters?", r"personal profile", r"application forms?", r"supporting statement",
        r"competency questions?", r"why do you want this role", r"resume", r"(job|online) applications?",
        r"applied for the", r"the form asks",
    )),
    "interviews": ("Interviews", (
        r"interview(s|ing|ed)?", r"assessment cent(re|er)s?", r"mock interview",
    )),
    "study-skills": ("Study skills", (
        r"revis(e|ing|ion)", r"exams?", r"mocks?", r"homework", r"coursework", r"essays?", r"focus",
        r"concentrat(e|ion)", r"notes?", r"planner", r"timetable", r"independent study", r"cramming", r"flashcards",
        r"study(ing)?", r"past papers?", r"grades?",
    )),
    "money-and-finance": ("Money and finance", (
        r"money", r"student (loan|finance)", r"loans?", r"bursar(y|ies)", r"wages?", r"tax", r"budget(ing)?",
        r"sav(e|ing|ings)", r"bank( account)?", r"credit (score|card)", r"minimum wage", r"pay(s|ing)? (well|much)",
        r"£\s?\d", r"afford", r"spen(d|t)", r"ema", r"tuition fee loan", r"cost of living", r"salary", r"an hour",
    )),
    "wellbeing": ("Wellbeing", (
        r"stress(ed|ing)?", r"anxious", r"anxiety", r"panick?(ing)?", r"tired", r"sleep", r"lonely", r"loneliness",
        r"feel(ing)? (kinda |so |really )?(rubbish|bad|low|sad|down|better|sick|awful)", r"bad day", r"mental health",
        r"clear my head", r"switch off", r"falling out", r"no ?one to talk to", r"anyone to talk to",
        r"be kind to yourself", r"overwhelmed", r"crying", r"burn(t|ed)? out",
    )),
    "work-experience": ("Work experience", (
        r"work experience", r"placements?", r"shadow(ing)?", r"insight days?", r"internships?",
        r"virtual work experience", r"a week in (july|august|june|the summer)", r"volunteer(ing)?",
    )),
    "personal-statements": ("Personal statements", (
        r"personal statement", r"\bps\b", r"drafts? of (my|the) ps",
    )),
    "online-safety": ("Online safety", (
        r"scams?", r"phishing", r"hack(ed)?", r"privacy", r"private", r"real name", r"bank details",
        r"weird link", r"strangers?", r"people i (dont|don't) know", r"vpn", r"digital footprint", r"is it safe",
        r"snapchat", r"discord", r"roblox", r"instagram", r"tiktok", r"home address", r"id documents?",
        r"send money",
    )),
    "goals": ("Goals", (
        r"goals?", r"action plan", r"targets?", r"by (the end of|summer|september|christmas|easter)",
        r"i want to (get|learn|be more|finish)", r"achieved?", r"what would you like to have",
    )),
    "confidence": ("Confidence", (
        r"confiden(t|ce)", r"nervous", r"believe in (my|your)self", r"self[- ]belief", r"rubbish at",
        r"(smarter|better) than me", r"awkward", r"speaking in front", r"scared", r"shy", r"you can do this",
        r"not good enough", r"imposter",
    )),
    "networking": ("Networking", (
        r"linked ?in", r"network(ing)?", r"alumni", r"careers (talk|fair|event)", r"spoke to an? \w+ afterwards",
        r"message (a|the) (ceo|manager|professional)", r"contacts?", r"connections?",
    )),
    "gap-year": ("Gap year", (
        r"gap years?", r"year out", r"a year before uni", r"year off", r"defer(ring)?",
    )),
    "further-education": ("Further education", (
        r"sixth form", r"6th form", r"college", r"a ?levels?", r"btecs?", r"t ?levels?", r"epq", r"resits?",
        r"gcses?", r"further maths", r"subjects? (to|should i) (pick|choose|take)",
    )),
}

SMALL_TALK_CUES = (
    r"hi+", r"hey+", r"hello", r"thanks?", r"thank (you|u)", r"ty", r"cheers", r"sorry", r"no (worries|problem)",
    r"see (you|u)", r"talk soon", r"take care", r"good (week|weekend|day)", r"lol", r"haha", r"ok(ay)?", r"kk?",
    r"yes+", r"yeah", r"cool", r"sounds good", r"(monday|tuesday|wednesday|thursday|friday|weekend)",
    r"running late", r"link", r"calendar", r"session", r"how are (you|u)", r"matched with you",
)
SHORT_MESSAGE_WORDS = 3


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    cues: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    topics: tuple[Topic, ...]

    def ids(self) -> list[str]:
        return [t.id for t in self.topics] + [SMALL_TALK]

    def labels(self) -> dict[str, str]:
        return {t.id: t.label for t in self.topics}

    def found_in(self, lowered: str) -> set[str]:
        """The ids of the topics with a cue in `lowered` (lower-cased, spaces collapsed)."""
        finder, topic_of = self._finder
        found: set[str] = set()
        for match in finder.finditer(lowered):
            found.update(topic_of[group] for group, words in match.groupdict().items() if words is not None)
        return found

    @cached_property
    def _finder(self) -> tuple[re.Pattern, dict[str, str]]:
        """One pattern for every topic, compiled once per taxonomy (an organisation's is cached by its
        store). It stops only where some cue starts and, there, names in a group per topic which
        topics' cues match: a message is read once, not once per topic (bench/messaging.py)."""
        taggable = [t for t in self.topics if t.cues]
        topic_of = {f"_topic_{i}": t.id for i, t in enumerate(taggable)}
        any_cue = _alternatives(cue for t in taggable for cue in t.cues)
        each = "".join(f"(?=(?P<{group}>{_alternatives(t.cues)}(?!\\w))?)"
                       for group, t in zip(topic_of, taggable))
        return re.compile(rf"(?<![\w£])(?=(?:{any_cue})(?!\w)){each}" if taggable else r"(?!)"), topic_of


def default_labels() -> dict[str, str]:
    return {tid: label for tid, (label, _) in DEFAULT_TAXONOMY.items()}


def default_taxonomy() -> Taxonomy:
    return Taxonomy(tuple(Topic(tid, label, cues) for tid, (label, cues) in DEFAULT_TAXONOMY.items()))


def taxonomy_from(custom: list[dict] | None) -> Taxonomy:
    """An organisation's taxonomy: the defaults, with its own entries added, relabelled or removed.

    Each entry is `{"id", "label"?, "keywords"?: [words], "removed"?: bool}`; keywords are plain
    words or phrases (escaped here), added to the default cues of a topic of the same id."""
    topics = {t.id: t for t in default_taxonomy().topics}
    for entry in custom or []:
        tid = entry["id"]
        if entry.get("removed"):
            topics.pop(tid, None)
            continue
        base = topics.get(tid, Topic(tid, entry.get("label") or tid, ()))
        words = tuple(re.escape(w.lower().strip()) for w in entry.get("keywords") or () if w.strip())
        topics[tid] = Topic(tid, entry.get("label") or base.label, base.cues + words)
    return Taxonomy(tuple(topics.values()))


def _alternatives(cues) -> str:
    return "(?:" + "|".join(f"(?:{c})" for c in cues) + ")"


def _compiled(cues: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<![\w£])" + _alternatives(cues) + r"(?!\w)")


_SMALL_TALK = _compiled(SMALL_TALK_CUES)
_SPACES = re.compile(r"\s+")


def searchable(text: str) -> str:
    """The text as cues are searched in: lower case, curly apostrophes straight, spaces single."""
    return _SPACES.sub(" ", text.lower().replace("’", "'"))


def tag(text: str, taxonomy: Taxonomy | None = None) -> list[str]:
    """The topic ids a message is about (sorted); `small-talk` alone when it is about none."""
    taxonomy = taxonomy or _DEFAULT
    lowered = searchable(text)
    found = taxonomy.found_in(lowered)
    if found:
        return sorted(found)
    if _SMALL_TALK.search(lowered) or len(lowered.split()) <= SHORT_MESSAGE_WORDS:
        return [SMALL_TALK]
    return []


_DEFAULT = default_taxonomy()
