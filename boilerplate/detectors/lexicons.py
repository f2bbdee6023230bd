"""Named lexicons (:class:`Lexicon`): the whole-line patterns and phrases of each kind of cue,
matched once over a whole document.

Shared by the ``rules`` detector (which fires on them) and the learned features (which count
them). Patterns are written in lower case and run over the lower-cased lines.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from typing import cast

import numpy as np

from . import prefilter

# Whole-line patterns are anchored with ^...$ (re.M); phrase patterns match anywhere in a line.
# Whitespace is written [^\S\n] so that no match runs across a line end.


@dataclass(frozen=True)
class Lexicon:
    r"""One named cue: a whole-line pattern, phrases found anywhere in a line, or both (a line
    matches when either does).

    ``line`` is anchored ``^...$`` (``re.MULTILINE``) and is tried once per line start, bounded at
    the line's end. ``phrases`` are regex branches, each opening with a literal character or with
    ``\b`` and a letter; they are compiled into ``phrase`` by :func:`compile_phrases`, which lets the
    regex engine skip from candidate to candidate instead of trying every branch at every position
    (the same matches as ``"|".join(phrases)``; 2-3x faster).
    """

    line: re.Pattern | None = None
    phrases: tuple[str, ...] = ()
    phrase: re.Pattern | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.line is None and not self.phrases:
            raise ValueError("a lexicon needs a whole-line pattern, phrases, or both")
        object.__setattr__(self, "phrase", compile_phrases(self.phrases) if self.phrases else None)


_LITERAL = re.compile(r"[^\\\[\](){}.*+?^$|]")  # a branch opening with this character opens with it literally
_QUANTIFIERS = ("*", "+", "?", "{")  # after a branch's first character: that character is not the whole first item


def compile_phrases(branches: tuple[str, ...]) -> re.Pattern:
    r"""``"|".join(branches)``, written so that Python's regex engine finds candidates fast.

    The branches are grouped by their first character, one alternation per group (the first level
    of a trie). A leading ``\b`` (before a letter) is factored out of the branches that have one
    when most do (``\b(?:...)|...``: mid-word positions fail at once), else moved behind the letter
    as ``(?<!\w.)``: the same test, but the branch opens with a literal, and when every branch does
    the engine scans for those characters alone. Matches are those of the plain alternation
    (tests check it on real lines).
    """
    for branch in branches:
        if _has_top_level_bar(branch):
            raise ValueError(f"a phrase branch must not hold a top-level '|': {branch!r}")
    bounded = tuple(b[2:] for b in branches if b.startswith(r"\b"))
    free = tuple(b for b in branches if not b.startswith(r"\b"))
    if len(bounded) > len(free):
        return re.compile("|".join([r"\b(?:" + _first_char_groups(bounded) + ")"]
                                   + ([_first_char_groups(free)] if free else [])))
    leads = list(free)
    for branch in bounded:
        if not branch[:1].isalpha() or branch[1:2] in _QUANTIFIERS:
            raise ValueError(f"a \\b must open a branch before a letter (not quantified): {branch!r}")
        leads.append(branch[0] + r"(?<!\w.)" + branch[1:])
    return re.compile(_first_char_groups(tuple(leads)))


def _has_top_level_bar(branch: str) -> bool:
    """Whether ``branch`` holds a ``|`` outside any group, class or escape (its alternatives would be
    split apart by the first-character grouping)."""
    depth, i, in_class = 0, 0, False
    while i < len(branch):
        c = branch[i]
        if c == "\\":
            i += 1
        elif in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 1 if branch[i + 1:i + 2] == "]" else 0  # "[]...]": a leading "]" is literal
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


def _first_char_groups(branches: tuple[str, ...]) -> str:
    groups: dict[str, list[str]] = {}
    for branch in branches:  # a branch without a literal first character is a group of its own
        key = branch[0] if branch and _LITERAL.match(branch) and branch[1:2] not in _QUANTIFIERS else branch
        groups.setdefault(key, []).append(branch[len(key):] if key != branch else "")
    return "|".join(key + (f"(?:{'|'.join(rests)})" if len(rests) > 1 else rests[0]) for key, rests in groups.items())


CHROME_LINE = Lexicon(line=re.compile(
    r"^[^\S\n]*(?:[×✕✖x]|close|menu|home|search|read more|more|show more|load more|share|tweet|print|"
    r"e-?mail|comments?|\d+ comments?|log ?in|sign in|log out|next|previous|prev|back|back to top|"
    r"skip to (?:main )?content|top|loading\.*|reply|like|share this(?: article)?|"
    r"copy link|toggle navigation|open menu|accept(?: all)?(?: cookies)?|ok|got it)[^\S\n]*[:.!›»>]?[^\S\n]*$",
    re.MULTILINE))
CHROME_PHRASE = Lexicon(phrases=(
    "all rights reserved", "©", r"\bcopyright\b", "privacy policy", "terms of (?:use|service)", "cookie policy",
    "we use cookies", "share on (?:facebook|twitter|x|linkedin|whatsapp)", "skip to content",
    "click here"))
AD_PHRASE = Lexicon(line=re.compile(
    r"^[^\S\n]*(?:advertisement|advertisements|advertising|advert|adverts|sponsored|sponsored content|"
    r"sponsored links|sponsored stories|sponsor content|sponsor message|promoted|paid content|ad|ads|"
    # the same ad labels in other languages (de, fr, es, pt, it, nl, nordic, pl/cs, tr, id, ru, ar,
    # hi, vi, ja, ko, zh); "pr" is how Japanese pages label paid placements
    r"anzeige|werbung|gesponsert|publicité|sponsorisé|publicidad|patrocinado|publicidade|pubblicità|"
    r"advertentie|gesponsord|annonce|annons|annonse|mainos|reklama|reklame|reklam|iklan|реклама|إعلان|"
    r"विज्ञापन|quảng cáo|広告|スポンサーリンク|pr|광고|广告|廣告|赞助)[^\S\n]*$", re.MULTILINE), phrases=(
    *(rf"\b{verb} (?:all |your )?ads?\b" for verb in ("disabled", "block", "blocking", "turn off", "disable")),
    r"\bsponsored by\b", r"\badvertis(?:e|ing) with us\b", r"\bad-free", r"\bad ?blocker",
    # the slot label an ad leaves in the text ("Advertisement - Story continues below")
    "story continues below", "article continues below", "continue reading below",
    # affiliate disclosures, in English and in the languages above
    r"\baffiliate[ -](?:links?|commissions?|partners?|programs?)\b", r"\bqualifying purchases\b",
    *(rf"\b{modal} (?:earn|receive|get) (?:a )?(?:small )?commissions?\b" for modal in ("may", "might", "will")),
    r"\bretail partners?\b",
    r"\bliens? (?:affiliés?|sponsorisés?)\b", r"\benlaces? (?:de afiliados?|patrocinados?)\b",
    r"\blinks? (?:de afiliados?|patrocinados?|affiliati|sponsorizzati)\b", r"\bwerbelinks?\b",
    r"\bprovisionslinks?\b", r"\bgesponsorde links?\b", "アフィリエイト", "広告を含み",
    # shop-box buttons: a price check or a deal at a retailer (beside the PRICE lexicon, any script)
    r"\bcheck (?:the )?(?:latest )?prices?\b", r"\bsee (?:the )?(?:latest )?prices?\b", r"\bbuying options\b",
    r"\bwhere to buy\b", r"\bbest prices? today\b", r"\bprice comparison\b", r"\bview deals?\b",
    r"\bbuy (?:it )?(?:on|at|from) amazon\b",
    *(rf"\b{see} (?:precio|preço|prezzo|prix)\b" for see in ("ver", "vedi", "voir le")),
    r"\bpreis prüfen\b", r"\bzum angebot\b"))
APPEAL_PHRASE = Lexicon(phrases=(
    r"\bsupport us\b", r"\bdonat(?:e|ion|ions|ing)\b", r"\bsubscri(?:be|ber|bers|ption|ptions)\b",
    r"\bnewsletters?\b", r"\bsign[ -]?up\b", r"\byour support\b", r"\bsupport (?:independent|our) journalism\b",
    r"\bindependent journalism\b",
    *(rf"\b{amount} contributions?\b" for amount in ("your", "every", "a small", "monthly", "one-time")),
    r"\bbecome a (?:member|patron|supporter)\b", r"\bmembership\b", r"\bremind me later\b",
    r"\bnot ready to support\b", r"\bwe need your help\b", r"\bdaily email\b", r"\bfree trial\b",
    r"\bunlimited access\b", r"\balready a (?:subscriber|member)\b", r"\bregister (?:now|for free)\b",
    r"\bdear readers?\b", r"\bdownload (?:our|the) app\b", r"\bsupporting\b.{0,40}\b(?:journalism|us)\b",
    r"\bthank you for (?:reading|standing|supporting)\b",
    # follow and contact calls, sign-up forms and a business's own offers (the guideline's appeal)
    r"\bfollow us\b", r"\bconnect with us\b", r"\bstay connected\b", r"\bget in touch\b", r"\bget started\b",
    r"\bget a (?:demo|quote|free quote)\b", r"\brequest (?:a )?(?:quote|demo)\b", r"\bbook (?:a|your) (?:demo|call|consultation)\b",
    r"\bfree (?:consultation|estimate|quote)\b", r"\bapply now\b", r"\bpre-?order\b", r"\bno credit card required\b",
    r"\bcreate (?:an |your )?(?:free )?account\b", r"\bjoin (?:now|us|today|for free)\b", r"\bsend us a tip\b",
    r"\b(?:your )?email address\b", r"\btype your email\b",
    # the same calls in other languages (de, fr, es, pt, it, nl, ru)
    r"\bjetzt (?:abonnieren|anmelden|spenden|unterstützen)\b", r"\bfolgen sie uns\b", r"\babonnieren\b",
    r"\babonnez-vous\b", r"\bs'abonner\b", r"\bsuivez-nous\b", r"\bfaire un don\b", r"\binscrivez-vous\b",
    r"\bsuscr[ií]bete\b", r"\bs[ií]guenos\b", r"\breg[ií]strate\b", r"\bassine\b", r"\bsiga-nos\b",
    r"\binscreva-se\b", r"\biscriviti\b", r"\bseguici\b", r"\babbonati\b", r"\bvolg ons\b", r"\babonneer\b",
    r"\bdoneer\b", r"\bподпи(?:шитесь|саться|ска)\b", r"\bподдержите\b",
    # and in Japanese and Chinese, written without spaces (no word boundary to anchor on): follow,
    # subscribe, member registration, mail magazine, donate
    "フォロー", "購読", "会員登録", "メルマガ", "寄付", "订阅", "關注", "关注我们", "捐款"))
#: A line that is only the name of a social network or feed: the entries of a follow-us list, in
#: any language (the names are brands).
SOCIAL_LINE = Lexicon(line=re.compile(
    r"^[^\S\n]*(?:facebook|instagram|twitter|youtube|linkedin|pinterest|tiktok|rss|rss feeds?|whatsapp|telegram|"
    r"threads|bluesky|mastodon|reddit|snapchat|flickr|vimeo|tumblr|vk|vkontakte|weibo|wechat|line|xing|"
    r"discord|twitch|spotify|apple podcasts|google news|soundcloud|podcast|newsletter)[^\S\n]*$", re.MULTILINE))
APPEAL_HEADER = Lexicon(line=re.compile(
    r"^[^\S\n]*(?:a (?:message|note) from\b.*|dear readers?,?)[^\S\n]*$", re.MULTILINE))
METADATA_LINE = Lexicon(line=re.compile(
    r"^[^\S\n]*(?:"
    r"(?:(?:updated|published|posted|last updated|modified)(?::|[^\S\n])+)?"  # optional lead word
    r"(?:\w+,?[^\S\n]+)?(?:\d{1,2}(?:st|nd|rd|th)?[^\S\n]+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
    r"[a-z]*\.?,?[^\S\n]+\d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?[^\S\n]+\d{1,2}"
    r"(?:st|nd|rd|th)?,?[^\S\n]+\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})"
    r"(?:(?:,|[^\S\n])+(?:at[^\S\n]+)?\d{1,2}:\d{2}(?:[^\S\n]*[ap]\.?m\.?)?(?:[^\S\n]*[a-z]{2,5}(?:[+-]\d{1,2})?)?)?"
    r"|by[^\S\n]+\w[\w.'-]+(?:[^\S\n]+\w[\w.'-]+){0,3}(?:[^\S\n]*(?:and|,|&)[^\S\n]*\w[\w.'-]+(?:[^\S\n]+\w[\w.'-]+){0,3})*"
    r"|\(?[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|co\.uk|ru|de|fr|io|info|news|tv)\)?"
    r"|\d+[^\S\n]*min(?:ute)?s?[^\S\n]+read|(?:photo|image|credit|source)s?:.{0,60}"
    r")[^\S\n]*\.?[^\S\n]*$", re.MULTILINE))
TEASER_HEADER = Lexicon(line=re.compile(
    r"^[^\S\n]*(?:see also|related(?: articles| stories| posts| news| content| coverage)?|read also|also read|"
    r"read next|more from [\w .]+|more stories|more news|recommended(?: for you)?|you may also like|"
    r"you might also like|most read|most popular|popular(?: now| stories)?|trending(?: now)?|"
    r"latest(?: news| stories)?|top stories|editor'?s picks?|what to read next)[^\S\n]*[:.]?[^\S\n]*$",
    re.MULTILINE))

#: Currency signs: Unicode's category Sc (Unicode 14), every script's ($ ¢ £ ¤ ¥ ֏ ؋ ৳ ฿ ៛ ₠-⃀ ﷼ ＄ ...).
CURRENCY_SIGNS = ("$\u00a2-\u00a5\u058f\u060b\u07fe\u07ff\u09f2\u09f3\u09fb\u0af1\u0bf9\u0e3f\u17db"
                  "\u20a0-\u20c0\ua838\ufdfc\ufe69\uff04\uffe0\uffe1\uffe5\uffe6"
                  "\U00011fdd-\U00011fe0\U0001e2ff\U0001ecb0")
#: A price: a currency sign beside a digit, on either side, at most one space between ("$6,500",
#: "12,99 €", "₹ 499"). Shop widgets and affiliate boxes show them; language-independent. Every
#: branch opens with the sign (the digit before it is a look-behind once the sign is read), so the
#: regex engine skips from sign to sign instead of trying every position or every digit.
PRICE = Lexicon(phrases=(rf"[{CURRENCY_SIGNS}](?:(?=[^\S\n]?\d)|(?<=\d.)|(?<=\d[^\S\n].))",))

#: Every lexicon by name, in the fixed order of the learned features' lexicon columns.
LEXICONS: dict[str, Lexicon] = {
    "chrome_line": CHROME_LINE, "chrome_phrase": CHROME_PHRASE, "ad_phrase": AD_PHRASE,
    "appeal_phrase": APPEAL_PHRASE, "appeal_header": APPEAL_HEADER, "metadata_line": METADATA_LINE,
    "teaser_header": TEASER_HEADER, "price": PRICE, "social": SOCIAL_LINE,
}


LEXICON_MAX_CHARS = 1000  # lexicons decide short lines; a long line is judged on its first 1000 chars


def _line_bounds(lines: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Where each line starts and ends in ``"\\n".join(lines)``."""
    lengths = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1])) if lines else np.zeros(0, np.int64)
    return starts, starts + lengths


def _matching_lines(pattern: re.Pattern, text: str, starts: np.ndarray) -> np.ndarray:
    """Boolean array over lines: True where ``pattern`` matches (one pass over the document)."""
    hits = np.zeros(len(starts), dtype=bool)
    positions = [m.start() for m in pattern.finditer(text)]
    if positions:
        hits[np.searchsorted(starts, positions, side="right") - 1] = True
    return hits


def _matching_at_starts(pattern: re.Pattern, text: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Boolean array over lines: True where ``pattern`` (``re.MULTILINE``, anchored with ``^``)
    matches at the line's start within ``text[start:end]``: one anchored match per line, no scan
    (a C-level ``map``, no Python code per line)."""
    hits = map(pattern.match, repeat(text), starts.tolist(), ends.tolist())
    return np.fromiter(map(operator.is_not, hits, repeat(None)), dtype=bool, count=len(starts))


def line_heads_matching(pattern: re.Pattern, lines: list[str], head: int) -> np.ndarray:
    """Boolean array over lines: True where ``pattern`` (``re.MULTILINE``, anchored with ``^``)
    matches in the line's first ``head`` characters, case kept."""
    starts, ends = _line_bounds(lines)
    return _matching_at_starts(pattern, "\n".join(lines), starts, np.minimum(ends, starts + head))


def lowered_text(lines: list[str], head: int) -> tuple[str, np.ndarray, np.ndarray]:
    """The lines' first ``head`` characters, lower-cased and joined by ``"\\n"`` (one join and one
    ``str.lower`` for the whole document: the same characters as numpy's per-line slice and
    lower), and where each line starts and ends in that text. The bounds come from the lines'
    lengths, unless lower-casing lengthened a character ("İ" -> "i̇"; then from the text split at
    its line ends). ``ValueError`` if a line holds a ``"\\n"`` (a
    :class:`~boilerplate.document.Document`'s lines are single lines: ``split_lines`` and
    ``render`` never make one, a hand-built document could)."""
    text = "\n".join(map(operator.getitem, lines, repeat(slice(0, head)))).lower()
    if text.count("\n") != max(len(lines) - 1, 0):
        at = next(i for i, line in enumerate(lines) if "\n" in line)
        raise ValueError(f"line {at} holds a line break: a document's lines must be single lines")
    lengths = np.minimum(np.fromiter(map(len, lines), dtype=np.int64, count=len(lines)), head)
    if int(lengths.sum()) + max(len(lines) - 1, 0) != len(text):  # lower-casing never shortens a character
        lengths = np.fromiter(map(len, text.split("\n")), dtype=np.int64, count=len(lines))
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1])) if len(lines) else np.zeros(0, np.int64)
    return text, starts, starts + lengths


def lowered_heads(lines: list[str], head: int) -> tuple[str, list[str]]:
    """:func:`lowered_text`'s text, and its lines split from it (lower-casing may lengthen a
    character, so the lines are not the heads lower-cased one by one)."""
    text = lowered_text(lines, head)[0]
    return text, (text.split("\n") if lines else [])


#: Lexicons the prefilter leaves to the plain path: METADATA_LINE's bounded repeats over classes of
#: any script exceed hyperscan's pattern size limit, and its prefilter-mode superset fires on
#: nearly every character of a line.
NOT_PREFILTERED = frozenset({"metadata_line"})


@functools.cache
def lexicon_prefilter() -> prefilter.Prefilter | None:
    """The prefilter over :data:`LEXICONS` (less :data:`NOT_PREFILTERED`), built once per process;
    ``None`` without hyperscan."""
    patterns: list[tuple[re.Pattern, str, bool]] = []
    for name, lexicon in LEXICONS.items():
        if name in NOT_PREFILTERED:
            continue
        if lexicon.line is not None:
            patterns.append((lexicon.line, lexicon.line.pattern, True))
        if lexicon.phrase is not None:  # the plain alternation: the same matches, simpler to widen
            patterns.append((lexicon.phrase, "|".join(lexicon.phrases), False))
    return prefilter.build(patterns)


def lexicon_matcher(lines: list[str], use_prefilter: bool = True) -> Callable[[Lexicon], np.ndarray]:
    """A function lexicon -> boolean array over ``lines``: True where the lexicon matches.

    Lexicons are written in lower case and run over the lower-cased, length-capped
    (:data:`LEXICON_MAX_CHARS`) lines joined into one text (:func:`lowered_text`): a whole-line
    pattern is one anchored match per line start, phrases one regex pass over the whole document
    (case-insensitive matching is ~4x slower). With hyperscan installed, the patterns of
    :data:`LEXICONS` are found by one prefilter scan of the text and confirmed on the candidate
    lines alone (:mod:`~boilerplate.detectors.prefilter`; the same hits, ~4x faster);
    ``use_prefilter=False`` takes the plain path.
    """
    text, starts, ends = lowered_text(lines, LEXICON_MAX_CHARS)
    scanner = lexicon_prefilter() if use_prefilter else None
    found = (scanner.hits(text, starts, ends) if scanner is not None else None) or {}

    def line_hits(pattern: re.Pattern) -> np.ndarray:
        hits = found.get(pattern)
        return _matching_at_starts(pattern, text, starts, ends) if hits is None else hits.copy()

    def phrase_hits(pattern: re.Pattern) -> np.ndarray:
        hits = found.get(pattern)
        return _matching_lines(pattern, text, starts) if hits is None else hits.copy()

    def match(lexicon: Lexicon) -> np.ndarray:
        if lexicon.line is None:
            return phrase_hits(cast(re.Pattern, lexicon.phrase))
        hits = line_hits(lexicon.line)
        if lexicon.phrase is not None:
            hits = hits | phrase_hits(lexicon.phrase)
        return hits
    return match
