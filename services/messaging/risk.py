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
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# Idioms of dying, killing and hitting that are not risk: blanked out before the patterns run.
_IDIOMS = _any(
    r"\b(?:is|are|was|were|s)\s+killing\s+me\b", r"\bkill(?:s|ed)?\s+me\s+if\b", r"\bdie\s+of\s+(?:embarrass|laugh|shame|boredom|cringe)\w*",
    r"\bi\s+(?:literally\s+)?died\b(?!\s+(?:inside|a\s+bit))", r"\b(?:so|im|i'm)\s+dead\b", r"\bdead\s+tired\b",
    r"\bhit\s+the\s+roof\b", r"\bsmash(?:ed)?\s+it\b", r"\bmurder(?:ed)?\s+(?:a|my|the|that)\s+\w+", r"\bcould\s+(?:strangle|kill|murder)\s+(?:my|him|her)\b",
    r"\b(?:killing|killed)\s+it\b", r"\bdone\s+with\s+(?:this|the)\s+(?:week|day|term|homework|coursework)\b",
    r"\brather\s+die\s+than\b", r"\bcut\s+my\s+(?:knee|finger|hand|hair|leg)\b",
    r"\bpoint\s+of\s+(?:this|the|that)\s+(?:coursework|homework|essay|lesson|task|subject)\b",
    r"\bsafeguarding\s+(?:lead|training|team|policy)\b", r"\blesson\s+on\s+(?:online\s+)?(?:grooming|bullying|self.harm)\b",
)

PATTERNS: dict[str, re.Pattern] = {
    SELF_HARM: _any(
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
    ABUSE: _any(
        r"\b(?:dad|mum|mom|father|mother|step\s*dad|step\s*mum|brother|sister|uncle|aunt|carer|partner|boyfriend|girlfriend|coach|grandad|cousin)'?s?\s+(?:\w+\s+)?(?:hits?|hit\s+me|slaps?|beats?|punche?s?|kicks?|grabbed|chok\w*|touche?s?\s+me|hurt\s+me|burn\w*\s+me)",
        r"\b(?:hits?|slaps?|beats?|hurts?|hurt)\s+me\b(?!\s+if)", r"\bbeat(?:s)?\s+me\s+up\b", r"\bdon'?t\s+feel\s+safe\s+(?:at\s+home|there|with)\b",
        r"\bscared\s+(?:to\s+go|of\s+going)\s+home\b", r"\bno\s+food\s+in\s+the\s+house\b|\bhaven'?t\s+had\s+food\b",
        r"\block(?:s|ed)?\s+me\s+(?:out|in)\b", r"\bnobody\s+will\s+believe\s+me\b", r"\bif\s+i\s+tell\s+any\s*one\b",
        r"\b(?:give|gives|gave)\s+me\s+(?:stuff|things|drugs|packages?)\s+to\s+(?:sell|carry|deliver)\b", r"\bi\s+owe\s+them\b",
        r"\bmake\s+me\s+do\s+(?:stuff|things)\b|\bmade\s+me\s+do\s+(?:stuff|things)\b", r"\bmarry\s+my\s+cousin\b|\bforced\s+to\s+marry\b",
        r"\b(?:i'?m|im)\s+a\s+mistake\b", r"\bhates?\s+me\b.*\b(?:says|told|telling)\b|\b(?:says|told|telling)\b.*\bhates?\s+me\b",
        r"\bhide\s+in\s+my\s+room\s+when\b", r"\bgets?\s+home\s+drunk\b", r"\btouches\s+me\b",
    ),
    GROOMING: _any(
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
    ),
    BULLYING: _any(
        r"\bcall(?:s|ed)?\s+me\s+(?:names|\w+\s+like)", r"\bcall\s+me\s+\w+\s+like\s+its\s+an\s+insult\b", r"\blaugh(?:ing)?\s+at\s+me\b",
        r"\bleft\s+out\s+of\s+everything\b|\bleave\s+me\s+out\b", r"\bfake\s+account\b.*\bme\b", r"\bpretending\s+to\s+be\s+me\b",
        r"\bwaiting\s+for\s+me\s+after\s+school\b", r"\bthrow\s+(?:stuff|things)\s+at\s+me\b", r"\b(?:horrible|nasty)\s+(?:things\s+)?about\s+me\b",
        r"\btripped\s+me\b", r"\bpunched\s+(?:me|in\s+the)\b", r"\bpost(?:ed|ing)?\s+(?:that\s+i|about\s+me)\b",
        r"\bshut\s+up\s+(?:ur|you'?re)\b", r"\b(?:ur|you'?re|your)\s+(?:so\s+)?(?:thick|stupid|useless|pathetic|worthless|an?\s+idiot)\b",
        r"\btoo\s+(?:lazy|stupid|thick)\s+to\b", r"\bbull(?:y|ied|ying)\b(?!\s+week)", r"\bsaying\s+my\s+(?:mum|mom|dad)\s+is\b",
        r"\bsay(?:s|ing)?\s+i\s+smell\b|\bthat\s+i\s+smell\b", r"\btold\s+me\s+to\s+kill\s+my\s*self\b",
    ),
}


def risks(text: str, extra: dict[str, tuple[str, ...]] | None = None) -> list[tuple[str, str]]:
    """The risk categories a text falls in, each with the words that matched (at most one per category).

    `extra` is an organisation's own phrases per category (matched as plain, case-insensitive text).
    """
    folded = text.replace("\u2019", "'").replace("\u2018", "'")
    cleaned = _IDIOMS.sub(" ", folded)
    found = []
    for category, pattern in PATTERNS.items():
        match = pattern.search(cleaned)
        if match is None:
            for phrase in (extra or {}).get(category, ()):
                if phrase and phrase.lower() in folded.lower():
                    found.append((category, phrase))
                    break
            continue
        found.append((category, match.group(0)))
    return found
