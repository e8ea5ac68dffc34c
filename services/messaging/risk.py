"""Risk in messages: self-harm, abuse disclosure, grooming patterns, bullying (pure; no I/O).

Phrase patterns written from the tune set (bench/data/risk/tune.jsonl) and the labelling guide,
broad on purpose for self-harm, abuse disclosure and grooming: a missed message there can cost a
child's safety, a needless hold costs a reviewer a minute (bench/risk.py measures it on held-out).
Idioms that look like risk ("this exam is killing me") are removed before matching.
"""

from __future__ import annotations

import re

SELF_HARM, ABUSE, GROOMING, BULLYING = "self_harm", "abuse_disclosure", "grooming", "bullying"
# A message in one of these is held and raises a safeguarding concern by itself.
SERIOUS = (SELF_HARM, ABUSE, GROOMING)


def _any(*patterns: str) -> re.Pattern:
    """One pattern for the first of `patterns` to match, run on lower-cased text (`lower_alike`).

    Consecutive alternatives that start at a word boundary share one `\\b`: the engine then gives up
    on a position inside a word once, not once per alternative. With no IGNORECASE either, a message
    is checked several times faster (bench/messaging.py); what matches does not change
    (tests/unit/messaging/test_risk.py compares with the patterns compiled as written)."""
    runs: list[tuple[bool, list[str]]] = []
    for alternative in (a for p in patterns for a in _top_level_alternatives(p)):
        bounded = alternative.startswith(r"\b")
        if runs and bounded and runs[-1][0]:
            runs[-1][1].append(alternative[2:])
        else:
            runs.append((bounded, [alternative[2:] if bounded else alternative]))
    return re.compile("|".join((r"\b(?:" if bounded else "(?:") + "|".join(f"(?:{a})" for a in group) + ")"
                               for bounded, group in runs))


def _top_level_alternatives(pattern: str) -> list[str]:
    """`a|(b|c)|d` -> [a, (b|c), d]: the `|` outside any group or character class."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 1
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            i += pattern[i + 1:i + 2] == "^"
            i += pattern[i + 1:i + 2] == "]"  # a "]" first in the class is a literal
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*parts, pattern[start:]]


# Idioms of dying, killing and hitting that are not risk: blanked out before the patterns run.
IDIOMS = (
    r"\b(?:is|are|was|were|s)\s+killing\s+me\b", r"\bkill(?:s|ed)?\s+me\s+if\b", r"\bdie\s+of\s+(?:embarrass|laugh|shame|boredom|cringe)\w*",
    r"\bi\s+(?:literally\s+)?died\b(?!\s+(?:inside|a\s+bit))", r"\b(?:so|im|i'm)\s+dead\b", r"\bdead\s+tired\b",
    r"\bhit\s+the\s+roof\b", r"\bsmash(?:ed)?\s+it\b", r"\bmurder(?:ed)?\s+(?:a|my|the|that)\s+\w+", r"\bcould\s+(?:strangle|kill|murder)\s+(?:my|him|her)\b",
    r"\b(?:killing|killed)\s+it\b", r"\bdone\s+with\s+(?:this|the)\s+(?:week|day|term|homework|coursework)\b",
    r"\brather\s+die\s+than\b", r"\bcut\s+my\s+(?:knee|finger|hand|hair|leg)\b",
    r"\bpoint\s+of\s+(?:this|the|that)\s+(?:coursework|homework|essay|lesson|task|subject)\b",
    r"\bsafeguarding\s+(?:lead|training|team|policy)\b", r"\blesson\s+on\s+(?:online\s+)?(?:grooming|bullying|self.harm)\b",
)

# What each category's phrases look like, as written (lower case; matched case-insensitively).
PHRASES: dict[str, tuple[str, ...]] = {
    SELF_HARM: (
        r"\bkill(?:ing)?\s+my\s*self\b", r"\bsuicid", r"\bend(?:ing)?\s+(?:it|my\s+life|things|it\s+all)\b",
        r"\b(?:hurt|harm|cut|cutting|burn|burning|punish)(?:ing)?\s+my\s*self\b", r"\bself.?harm",
        r"\b(?:want|wanna|going)\s+to\s+die\b", r"\bwanna\s+die\b(?!\s+of)", r"\bjust\s+want\s+to\s+die\b",
        r"\bthink(?:ing)?\s+about\s+(?:dying|death|not\s+being\s+here)", r"\bstop\s+existing\b",
        r"\bnot\s+(?:be|being)\s+here\s+any\s*more\b", r"\b(?:if|when)\s+i\s+(?:was|were|wasn'?t|am)\s+(?:gone|dead|here)\b",
        r"\bno\s*one\s+would\s+(?:care|notice|miss\s+me)\b", r"\bnot\s+wake\s+up\b", r"\bnever\s+wake\s+up\b",
        r"\b(?:life|living)\s+is(?:n'?t|\s+not)\s+worth\b", r"\bnot\s+worth\s+(?:it|living)\s+any\s*more\b",
        r"\bgiving\s+up\s+on\s+(?:everything|life|living)\b", r"\bcan'?t\s+(?:keep\s+going|go\s+on|do\s+this\s+any\s*more)\b",
        r"\bdon'?t\s+think\s+i\s+can\s+(?:keep\s+going|go\s+on|carry\s+on|do\s+this\s+any\s*more)\b",
        r"\bout\s+of\s+every\s*one'?s\s+way\b", r"\bbetter\s+off\s+(?:without\s+me|dead|gone)\b",
        r"\bhiding\s+the\s+(?:marks|cuts|scars)\b", r"\b(?:marks|cuts|scars)\s+on\s+my\s+(?:arm|wrist|leg)s?\b",
        r"\burge\s+to\s+(?:hurt|cut)\b", r"\boverdose", r"\btook\s+(?:a\s+lot\s+of|loads\s+of|all\s+(?:my|the))\s+(?:pills|tablets)\b",
        r"\bsaid\s+goodbye\b.*\blast\s+time\b", r"\bgoodbye\s+(?:letter|note)\b", r"\bgave\s+(?:most\s+of\s+|all\s+)?my\s+stuff\s+away\b",
        r"\bnot\s+going\s+to\s+need\s+(?:a|my|any)\b.*\btrust\s+me\b", r"\bwon'?t\s+be\s+(?:around|here)\s+(?:much\s+longer|for\s+long)\b",
        r"\bjump\s+off\s+a\s+(?:bridge|roof|building)\b", r"\beasier\s+for\s+every\s*one\s+if\s+i\b",
        r"\bdon'?t\s+want\s+to\s+be\s+(?:here|alive)\b", r"\bwish\s+i\s+(?:was|were)\s+(?:dead|never\s+born)\b",
    ),
    ABUSE: (
        r"\b(?:dad|mum|mom|father|mother|step\s*dad|step\s*mum|brother|sister|uncle|aunt|carer|partner|boyfriend|girlfriend|coach|grandad|cousin)'?s?\s+(?:\w+\s+)?(?:hits?|hit\s+me|slaps?|beats?|punche?s?|kicks?|grabbed|chok\w*|touche?s?\s+me|hurt\s+me|burn\w*\s+me)",
        r"\b(?:hits?|slaps?|beats?|hurts?|hurt)\s+me\b(?!\s+if)", r"\bbeat(?:s)?\s+me\s+up\b", r"\bdon'?t\s+feel\s+safe\s+(?:at\s+home|there|with)\b",
        r"\bscared\s+(?:to\s+go|of\s+going)\s+home\b", r"\bno\s+food\s+in\s+the\s+house\b|\bhaven'?t\s+had\s+food\b",
        r"\block(?:s|ed)?\s+me\s+(?:out|in)\b", r"\bnobody\s+will\s+believe\s+me\b", r"\bif\s+i\s+tell\s+any\s*one\b",
        r"\b(?:give|gives|gave)\s+me\s+(?:stuff|things|drugs|packages?)\s+to\s+(?:sell|carry|deliver)\b", r"\bi\s+owe\s+them\b",
        r"\bmake\s+me\s+do\s+(?:stuff|things)\b|\bmade\s+me\s+do\s+(?:stuff|things)\b", r"\bmarry\s+my\s+cousin\b|\bforced\s+to\s+marry\b",
        r"\b(?:i'?m|im)\s+a\s+mistake\b", r"\bhates?\s+me\b.*\b(?:says|told|telling)\b|\b(?:says|told|telling)\b.*\bhates?\s+me\b",
        r"\bhide\s+in\s+my\s+room\s+when\b", r"\bgets?\s+home\s+drunk\b", r"\btouches\s+me\b",
    ),
    GROOMING: (
        r"\bbetween\s+us\b", r"\bour\s+(?:little\s+)?secret\b", r"\bjust\s+our\s+secret\b",
        r"\b(?:don'?t|do\s+not|dont)\s+tell\s+(?:your|ur|the|my)\s*(?:parents|mum|mom|dad|school|teacher|coordinator|mentor)\b",
        r"\b(?:don'?t|do\s+not)\s+tell\s+any\s*(?:one|body)\s+(?:about\s+(?:us|this|me|what)|i\s+(?:said|sent|gave))\b",
        r"\bcan'?t\s+tell\s+(?:your|ur)\s+(?:parents|mum|mom|dad)\b", r"\b(?:before|so)\s+(?:your|ur)\s+(?:mum|mom|dad|parents)\s+(?:sees?|finds?)\b",
        r"\bdelete\s+(?:our|these|this|the)\s+(?:messages?|chat|convo)", r"\bdoesn'?t\s+need\s+to\s+know\b", r"\bno\s*one\s+reads\s+(?:those|them|it)\b",
        r"\b(?:send|show)\s+(?:me\s+)?(?:a\s+)?(?:pic|pics|picture|photo|selfie|snap)s?\s+(?:of\s+(?:you|yourself|ur|your\s+(?:room|body|outfit|legs))|back)\b",
        r"\bsend\s+(?:me\s+)?(?:a\s+)?(?:pic|picture|photo|selfie)s?\s+(?:of\s+)?(?:you\b|yourself|in\s+your)", r"\bwants?\s+me\s+to\s+send\s+(?:pics|photos|pictures|nudes)\b",
        r"\b(?:chat|talk|text|message|move|speak)\s+(?:\w+\s+){0,2}on\s+(?:instagram|insta|snap\w*|whatsapp|tiktok|discord|telegram|kik|facebook|the\s+phone)\b",
        r"\b(?:move|go)\s+to\s+(?:instagram|insta|snap\w*|whatsapp|discord|telegram|kik|dms?)\b", r"\btalk\s+on\s+the\s+phone\s+instead\b",
        r"\bcome\s+alone\b", r"\bmeet\s+(?:me\s+)?(?:up\s+)?(?:alone|in\s+person|at\s+the\s+(?:station|park|shops|mall))\b", r"\bjust\s+the\s+two\s+of\s+us\b",
        r"\bi\s+(?:bought|got)\s+you\s+(?:something|a\s+present|a\s+gift)\b", r"\bsending\s+me\s+gifts\b|\bbuy\s+you\s+(?:something|anything)\b",
        r"£\s?\d+\s+if\s+you\b", r"\b(?:so|very|really)\s+(?:grown\s*up|mature)\s+for\s+(?:your\s+age|\d{2})\b",
        r"\bmature\s+for\s+your\s+age\b", r"\btrust\s+me\s+more\s+than\s+(?:your|ur)\b", r"\bonly\s+i\s+(?:understand|get)\s+you\b",
        r"\bnever\s+connected\s+with\b.*\blike\s+this\b", r"\byou'?re\s+(?:so\s+)?special\b.*\b(?:mentee|secret|us)\b|\bmentee\s+like\s+this\b",
        r"\b(?:have|got)\s+a\s+(?:girlfriend|boyfriend)\b", r"\bare\s+you\s+(?:home\s+)?alone\b", r"\bbedroom\s+door\s+locked\b",
        r"\bparents\s+(?:home|around|in)\b\?", r"\byour\s+friends\s+are\s+(?:losers|jealous|fake)\b",
        # Generalised from the category's definition (secrecy, photos, off-platform, meeting, gifts, flattery,
        # probing, a young person reporting it), checked against tune.jsonl only (docs/decisions.md).
        r"\bkeep\s+(?:this|it|that)\s+(?:a\s+)?secret\b", r"\bstays?\s+between\s+(?:you\s+and\s+me|us)\b",
        r"\bno\s*(?:one|body)\s+(?:else\s+)?(?:needs|has)\s+to\s+know\b",
        r"\b(?:parents|mum|mom|dad|school|teachers?)\s+(?:wouldn'?t|won'?t|don'?t)\s+(?:understand|get\s+it)\b",
        r"\b(?:send|show)\s+(?:me\s+)?(?:some\s+|more\s+)?(?:pics|pictures|photos|selfies|nudes)\b(?!\s+of\s+(?:the|your|a)\b)",
        r"\b(?:pic|picture|photo|selfie|video)s?\s+of\s+(?:you|u|yourself|urself)\b(?!r)", r"\bnudes\b",
        r"\bwhat\s+(?:are|r)\s+(?:you|u)\s+wearing\b", r"\basked\s+(?:me\s+)?for\s+(?:pics|photos|pictures|nudes)\b",
        r"\b(?:follow|dm|ring|facetime)\s+me\s+(?:on|at)\b",
        r"\b(?:what'?s|whats|wats|give\s+me)\s+(?:your|ur)\s+(?:snap\w*|insta\w*|number|whatsapp|discord|tiktok|phone)\b",
        r"\boff\s+(?:this|the)\s+(?:app|site|website|platform)\b", r"\bsomewhere\s+(?:more\s+)?private\b",
        r"\bmeet\s+(?:up\b|me\b|somewhere|after\s+school|in\s+town|outside)", r"\bpick\s+(?:you|u)\s+up\b",
        r"\bcome\s+(?:round|over)\s+(?:to\s+)?(?:mine|my\s+(?:house|place|flat))\b",
        r"\b(?:buy|get|send|give)\s+(?:you|u)\s+(?:a\s+|some\s+)?(?:present|gift|phone|top.?up|credit|money|cash|trainers|clothes|vouchers?)\b",
        r"\b(?:pay|give)\s+(?:you|u)\s+£", r"\bi'?ll\s+(?:pay|buy)\s+(?:for\s+)?(?:you|u)\b",
        r"\b(?:you'?re|ur|you\s+are|you\s+look)\s+(?:so\s+|really\s+|very\s+)?(?:beautiful|gorgeous|pretty|hot|sexy|cute|fit)\b",
        r"\b(?:no\s*one|nobody)\s+(?:else\s+)?(?:understands|gets|cares\s+about)\s+(?:you|u)\s+like\s+(?:i|me)\b",
        r"\bonly\s+(?:one|person)\s+who\s+(?:really\s+)?(?:understands|gets|cares)\b", r"\bolder\s+than\s+(?:your|ur)\s+age\b",
        r"\bhow\s+old\s+(?:are|r)\s+(?:you|u)\b", r"\b(?:are|r)\s+(?:you|u)\s+(?:home\s+)?(?:alone|on\s+your\s+own|by\s+yourself)\b",
        r"\b(?:do|does)\s+(?:your|ur)\s+(?:parents|mum|mom|dad)\s+(?:check|read|see|look\s+at|know)\b",
        r"\b(?:your|ur)\s+(?:parents|mum|mom|dad)\s+(?:away|out|asleep)\b", r"\bever\s+been\s+kissed\b",
        r"\bwhere\s+do\s+(?:you|u)\s+live\b",
        r"\b(?:man|guy|older|stranger|someone|person)\b.{0,40}\b(?:online|on\s+(?:tiktok|snap\w*|insta\w*|discord|roblox|fortnite|whatsapp))\b.{0,60}\b(?:wants|asked|keeps|asking|told)\b",
        r"\bwants?\s+me\s+to\s+(?:send|meet|keep|delete)\b",
    ),
    BULLYING: (
        r"\bcall(?:s|ed)?\s+me\s+(?:names|\w+\s+like)", r"\bcall\s+me\s+\w+\s+like\s+its\s+an\s+insult\b", r"\blaugh(?:ing)?\s+at\s+me\b",
        r"\bleft\s+out\s+of\s+everything\b|\bleave\s+me\s+out\b", r"\bfake\s+account\b.*\bme\b", r"\bpretending\s+to\s+be\s+me\b",
        r"\bwaiting\s+for\s+me\s+after\s+school\b", r"\bthrow\s+(?:stuff|things)\s+at\s+me\b", r"\b(?:horrible|nasty)\s+(?:things\s+)?about\s+me\b",
        r"\btripped\s+me\b", r"\bpunched\s+(?:me|in\s+the)\b", r"\bpost(?:ed|ing)?\s+(?:that\s+i|about\s+me)\b",
        r"\bshut\s+up\s+(?:ur|you'?re)\b", r"\b(?:ur|you'?re|your)\s+(?:so\s+)?(?:thick|stupid|useless|pathetic|worthless|an?\s+idiot)\b",
        r"\btoo\s+(?:lazy|stupid|thick)\s+to\b", r"\bbull(?:y|ied|ying)\b(?!\s+week)", r"\bsaying\s+my\s+(?:mum|mom|dad)\s+is\b",
        r"\bsay(?:s|ing)?\s+i\s+smell\b|\bthat\s+i\s+smell\b", r"\btold\s+me\s+to\s+kill\s+my\s*self\b",
        # Generalised from the category's definition (bullied in person or online; insults and threats in the
        # chat), checked against tune.jsonl only.
        r"\b(?:make|makes|made|making)\s+fun\s+of\s+me\b", r"\bpick(?:s|ed|ing)?\s+on\s+me\b",
        r"\b(?:tease[sd]?|teasing|mock(?:s|ed|ing)?|harass\w*|threaten\w*|shov\w*|spit(?:s|ting)?|spat)\s+(?:at\s+)?me\b",
        r"\bspread(?:s|ing)?\s+(?:rumou?rs|lies|stuff)\b",
        r"\b(?:posted|shared|sent|put)\s+(?:a\s+|an\s+|my\s+|some\s+)?(?:photo|pic|picture|video|screenshot)s?\s+(?:of|about)\s+me\b",
        r"\bfilmed\s+me\b", r"\b(?:no\s*one|nobody)\s+(?:talks|speaks|sits|plays)\s+(?:to|with)\s+me\b",
        r"\b(?:kicked|removed|left|blocked)\s+me\s+(?:out\s+of|from)\s+the\s+(?:group|chat|gc)\b",
        r"\b(?:group\s*chat|gc)\b.{0,40}\babout\s+me\b",
        r"\b(?:every\s*one|everybody|they\s+all)\s+(?:hates?|ignores?|laughs?\s+at)\s+me\b",
        r"\b(?:nobody|no\s*one)\s+likes\s+(?:you|u)\b", r"\bevery\s*one\s+hates\s+(?:you|u)\b",
        r"\b(?:you'?re|ur|you\s+are)\s+(?:so\s+)?(?:ugly|fat|a\s+loser|a\s+freak|disgusting|a\s+joke|a\s+waste\s+of\s+space)\b",
        r"\bkys\b", r"\b(?:scared|afraid)\s+(?:to\s+go|of\s+going)\s+(?:to\s+)?school\b",
        r"\bcall(?:s|ed|ing)?\s+me\s+(?:a\s+|an\s+)?(?:fat|ugly|loser|freak|slag|slut|gay|retard\w*|weirdo|names)\b",
    ),
}
_IDIOMS = _any(*IDIOMS)
PATTERNS: dict[str, re.Pattern] = {category: _any(*phrases) for category, phrases in PHRASES.items()}


def risks(text: str, extra: dict[str, tuple[str, ...]] | None = None) -> list[tuple[str, str]]:
    """The risk categories a text falls in, each with the words that matched (at most one per category).

    `extra` is an organisation's own phrases per category (matched as plain, case-insensitive text).
    """
    folded = text.replace("\u2019", "'").replace("\u2018", "'")
    lowered = lower_alike(folded)
    idioms = [match.span() for match in _IDIOMS.finditer(lowered)]
    # The same spans blanked in both, so a match in the lower-cased text reads the writer's own words.
    cleaned, searched = _blank(folded, idioms), _blank(lowered, idioms)
    found = []
    for category, pattern in PATTERNS.items():
        match = pattern.search(searched)
        if match is None:
            for phrase in (extra or {}).get(category, ()):
                if phrase and phrase.lower() in lowered:
                    found.append((category, phrase))
                    break
            continue
        found.append((category, cleaned[match.start():match.end()]))
    return found


def lower_alike(text: str) -> str:
    """Lower case, character for character (a span in it is the same span in `text`)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)  # "İ" lowers to two


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span replaced by one space."""
    if not spans:
        return text
    pieces, last = [], 0
    for start, end in spans:
        pieces += (text[last:start], " ")
        last = end
    pieces.append(text[last:])
    return "".join(pieces)
