"""Turning text into search terms: fold, split, drop stop words, stem, and expand synonyms.

Kept apart from the ranker so the same rules serve articles and questions. The stemmers are
Snowball's (pure Python, cached per word); the synonyms are the words young people type for
what the library calls something else ("uni" for university, "ucas" terms, "tutor" for teacher).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"\w+", re.UNICODE)

EN_STOP = frozenset(["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "aren", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "don", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "isn", "it", "its", "itself", "just", "me", "might", "more", "most", "must", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "im", "ive", "id", "dont", "doesnt", "cant", "wont", "isnt", "whats", "thats", "u", "ur", "ya", "r", "get", "got", "really", "thing", "things", "something", "anything", "stuff", "like", "even", "still", "also", "much", "many", "lot", "lots", "ok", "okay", "please", "tell", "know", "want", "need", "going", "way", "make", "does", "did", "done", "say", "said", "one", "two"])

ES_STOP = frozenset(["a", "al", "algo", "algun", "alguna", "algunas", "alguno", "algunos", "ante", "antes", "como", "con", "contra", "cual", "cuando", "de", "del", "desde", "donde", "durante", "e", "el", "ella", "ellas", "ellos", "en", "entre", "era", "eres", "es", "esa", "esas", "ese", "eso", "esos", "esta", "estas", "este", "esto", "estos", "estoy", "fue", "ha", "hay", "la", "las", "le", "les", "lo", "los", "mas", "me", "mi", "mis", "mucho", "muy", "nada", "ni", "no", "nos", "o", "os", "otra", "otro", "para", "pero", "poco", "por", "porque", "que", "quien", "se", "sea", "ser", "si", "sin", "sobre", "son", "su", "sus", "tambien", "te", "tengo", "ti", "tu", "tus", "un", "una", "uno", "unos", "y", "ya", "yo", "puedo", "hacer", "hago", "tiene", "tienen", "estan", "esta", "algo", "quiero", "necesito", "saber"])

# Words that mark a question as Spanish even when it is short ("como hago un cv").
ES_MARKERS = ES_STOP - EN_STOP | frozenset(["ayuda", "estres", "examen", "examenes", "estafa", "trabajo"])

# Query-side expansion: a typed word → the words the library uses. Tuned on the tuning set only.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "uni": ("university",),
    "unis": ("university",),
    "apprentice": ("apprenticeship",),
    "apprentices": ("apprenticeship",),
    "resume": ("cv",),
    "cvs": ("cv",),
    "job": ("work", "career"),
    "jobs": ("work", "career"),
    "money": ("finance", "budget"),
    "loan": ("finance",),
    "loans": ("finance",),
    "stressed": ("stress", "anxiety"),
    "anxious": ("anxiety", "stress"),
    "nervous": ("nerves",),
    "sad": ("mental", "health", "help"),
    "depressed": ("mental", "health", "help"),
    "revise": ("revision",),
    "revising": ("revision",),
    "exam": ("exams",),
    "statment": ("statement",),
    "apprentiship": ("apprenticeship",),
    "apprenticship": ("apprenticeship",),
    "wage": ("pay",),
    "salary": ("pay",),
    "payslip": ("pay", "payslip"),
    "bullied": ("bullying",),
    "nudes": ("images", "sharing"),
    "nude": ("images", "sharing"),
    "pics": ("images", "photos"),
    "scam": ("scams", "fraud"),
    "whatsapp": ("contact", "platform", "boundaries"),
    "snapchat": ("contact", "platform", "social"),
    "instagram": ("social", "media"),
    "procrastinate": ("procrastination",),
    "procrastinating": ("procrastination",),
    "interview": ("interviews",),
    "zoom": ("online", "video"),
    "teams": ("online", "video"),
    "gcse": ("gcses",),
    "alevels": ("a", "levels"),
    "sixth": ("sixth", "form"),
    "tax": ("tax", "national", "insurance"),
    "disclose": ("disclosure",),
    "told": ("disclosure",),
}

_STEMMERS = {"en": snowballstemmer.stemmer("english"), "es": snowballstemmer.stemmer("spanish")}
_STOP = {"en": EN_STOP, "es": ES_STOP}


def fold(text: str) -> str:
    """Lower case without accents: `Cómo` and `como` are one word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return WORD.findall(fold(text).replace("'", "").replace("\u2019", ""))


def detect_language(text: str) -> str:
    """`es` when the text reads as Spanish, else `en` (the library's two languages)."""
    raw = text.lower()
    tokens = words(text)
    if not tokens:
        return "en"
    spanish = sum(t in ES_MARKERS for t in tokens) + 2 * sum(c in "ñ¿¡" for c in raw)
    spanish += sum(c in "áéíóú" for c in raw)
    english = sum(t in EN_STOP and t not in ES_STOP for t in tokens)
    return "es" if spanish > english else "en"


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    return _STEMMERS[language].stemWord(word)


def terms(text: str, language: str = "en") -> list[str]:
    """The search terms of a text: stop words out, the rest stemmed in its language."""
    stop = _STOP[language]
    return [stem(w, language) for w in words(text) if w not in stop and (len(w) > 1 or w.isdigit())]


def query_terms(text: str, language: str) -> list[str]:
    """A question's terms, with the library's words added for the ones young people type instead."""
    stop = _STOP[language]
    out: list[str] = []
    for word in words(text):
        if word in stop or (len(word) < 2 and not word.isdigit()):
            continue
        out.append(stem(word, language))
        if language == "en":
            out.extend(stem(s, language) for s in SYNONYMS.get(word, ()) if s not in stop)
    return out


def is_readable(text: str) -> bool:
    """Whether the text has any letters or digits at all (emoji-only and punctuation are not)."""
    return bool(words(text))
