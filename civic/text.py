"""Plain text written by residents, cut into pieces that templates render escaped.

No HTML is ever produced here: a body becomes paragraphs of lines of segments,
each segment either text or a web link, and the template escapes all of it.
"""
import re
import unicodedata

_LINK = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?)»\"'"


def paragraphs(text):
    """[[ [("text", s) | ("link", url), ...] per line ] per paragraph]."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    return [[_segments(line) for line in block.strip("\n").split("\n")] for block in blocks]


def _segments(line):
    out, pos = [], 0
    for match in _LINK.finditer(line):
        url = match.group(0)
        trimmed = url.rstrip(_TRAILING_PUNCTUATION)
        start, end = match.start(), match.start() + len(trimmed)
        if start > pos:
            out.append(("text", line[pos:start]))
        out.append(("link", trimmed))
        pos = end
    if pos < len(line):
        out.append(("text", line[pos:]))
    return out


def normalize_for_search(text):
    """Lower case without accents, so that 'ecole' matches 'École' on every database."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


# Letters that French writes joined or apart: "oeuf" finds "œuf". Stored keys of names (name_key) keep
# them: only searched text is folded this way.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})


def searchable_text(*parts):
    """What a search reads of a text: lower case, no accents, ligatures as their letters."""
    return normalize_for_search("\n".join(parts)).translate(_LIGATURES)


def search_terms(query, limit=8):
    return searchable_text(query).split()[:limit]


# The escape character of the LIKE patterns below: pass it as ``escape=LIKE_ESCAPE``. SQLite has no default
# escape character, so without it "\%" would be a backslash followed by a wildcard.
LIKE_ESCAPE = "\\"


def _like_literal(term):
    """``term`` with LIKE's wildcards taken literally: "%" or "_" typed in a search box must not match everything."""
    return term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def like_contains(term):
    """A LIKE pattern for text containing ``term`` literally."""
    return f"%{_like_literal(term)}%"


def like_prefix(term):
    """A LIKE pattern for text starting with ``term`` literally."""
    return f"{_like_literal(term)}%"
