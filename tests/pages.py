"""Checks every HTML page rendered in the tests must pass: one h1, a title, lang, unique ids, id references."""
import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser, attrfind_tolerant, tagfind_tolerant
from urllib.parse import unquote

# Attributes holding one id (for=) or a space-separated list of ids (aria-*): each must name an element of the page.
ID_REFERENCES = {"for": False, "aria-describedby": True, "aria-labelledby": True}


# A comment, or a start tag with its attributes (quoted values may hold ">"), as html.parser's HTMLParser finds them.
_MARKUP = re.compile(r"""<!--|<([a-zA-Z][^\t\n\r\f />\x00]*)(?:"[^"]*"|'[^']*'|[^'">])*>""")
_COMMENT_END = re.compile(r"--\s*>")
_RAW_TEXT_END = {tag: re.compile(rf"</\s*{tag}\s*>", re.I) for tag in HTMLParser.CDATA_CONTENT_ELEMENTS}
_TITLE_END = re.compile(r"</\s*title\s*>", re.I)
_TAG = re.compile(r"<[^>]*>")
# The tags the checks read whatever their attributes; any other tag matters only for an id or an id reference.
_READ_TAGS = frozenset(("html", "h1", "title", "label", "input", "select", "textarea", "a"))
_READ_ATTRIBUTE = re.compile(rf"""[\s'"/](?:id|{'|'.join(ID_REFERENCES)})(?=[\s=/>])""", re.I)


class _Page:
    """What the checks read of a page, found as html.parser's HTMLParser finds it (a tag's name and attributes by its
    own patterns, comments and the contents of script and style skipped) without handing over each text and end tag:
    HTMLParser took about a third of the CPU of the page's request (0.7-2.4 ms a page), this about a sixth of that."""

    def __init__(self, html):
        self.ids = Counter()
        self.h1 = 0
        self.title = ""
        self.lang = None
        self.label_for = set()
        self.fields = []
        self.references = []  # (what, id): in-page links and id-referencing attributes
        position = 0
        while (markup := _MARKUP.search(html, position)) is not None:
            position = markup.end()
            tag = markup.group(1)
            if tag is None:  # a comment
                end = _COMMENT_END.search(html, position)
                position = end.end() if end else len(html)
                continue
            tag = tag.lower()
            if tag in _READ_TAGS or _READ_ATTRIBUTE.search(html, markup.start(), position):
                self._start_tag(tag, _attributes(html, markup.start(), position))
            if tag in _RAW_TEXT_END:
                end = _RAW_TEXT_END[tag].search(html, position)
                position = end.end() if end else len(html)
            elif tag == "title":
                end = _TITLE_END.search(html, position)
                self.title += unescape(_TAG.sub("", html[position:end.start() if end else len(html)]))

    def _start_tag(self, tag, attrs):
        if "id" in attrs:
            self.ids[attrs["id"]] += 1
        href = attrs.get("href") or ""
        if tag == "a" and href.startswith("#") and len(href) > 1:  # "#" alone means the top of the page
            self.references.append((f'<a href="{href}">', unquote(href[1:])))
        for name, many in ID_REFERENCES.items():
            value = attrs.get(name)
            if value is not None:
                for ref in (value.split() if many else [value]):
                    self.references.append((f"<{tag} {name}={value!r}>", ref))
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit", "button"):
            self.fields.append(attrs)


def _attributes(html, start, end):
    """The attributes of the start tag html[start:end], as HTMLParser.parse_starttag reads them (the last of a
    repeated name wins, as in the dict the checks made of its list)."""
    position = tagfind_tolerant.match(html, start + 1).end()
    attrs = {}
    while position < end and (found := attrfind_tolerant.match(html, position)) is not None:
        name, rest, value = found.group(1, 2, 3)
        if not rest:
            value = None
        elif value[:1] == "'" == value[-1:] or value[:1] == '"' == value[-1:]:
            value = value[1:-1]
        if value:
            value = unescape(value)
        attrs[name.lower()] = value
        position = found.end()
    return attrs


def parse_page(html):
    return _Page(html)


def check_page(html, lang=None):
    """Problems with the rules every page follows (empty when fine); `lang` is the expected <html lang>."""
    page = parse_page(html)
    problems = []
    if page.h1 != 1:
        problems.append(f"{page.h1} <h1> elements (one expected)")
    if not page.title.strip():
        problems.append("empty <title>")
    if page.lang not in ((lang,) if lang else ("fr", "en")):
        problems.append(f"<html lang={page.lang!r}>" + (f", expected {lang!r}" if lang else ""))
    duplicates = [i for i, n in page.ids.items() if n > 1]
    if duplicates:
        problems.append(f"duplicate ids: {duplicates}")
    missing = [f"{ref!r} in {what}" for what, ref in page.references if ref not in page.ids]
    if missing:
        problems.append(f"references to ids not on the page: {missing}")
    for field in page.fields:
        if field.get("id") not in page.label_for and not field.get("aria-label") and not field.get("aria-labelledby"):
            problems.append(f"field without label: {field}")
    problems += [f"notice said twice: {notice!r}" for notice in _repeated_notices(html)]
    problems += _required_links_problems(html)
    return problems


# Every page of the site links the pages the law requires from its footer (civic/legal).
REQUIRED_FOOTER_LINKS = ("/legal-notice", "/personal-data", "/accessibility", "/sitemap", "/counters")
_FOOTER = re.compile(r'<footer class="site-footer">(.*?)</footer>', re.S)


def _required_links_problems(html):
    if '<header class="site-header">' not in html:  # not the site's layout (the bare page of an unknown host)
        return []
    footer = _FOOTER.search(html)
    links = set(re.findall(r'href="([^"]*)"', footer.group(1))) if footer else set()
    missing = [path for path in REQUIRED_FOOTER_LINKS if path not in links]
    return [f"footer without links to {missing}"] if missing else []


_NOTICE = re.compile(r'<p class="notice notice-\w+">(.*?)</p>', re.S)


def _repeated_notices(html):
    """Notices (flash messages) whose sentence the page also says elsewhere: flashed twice, or flashed and written
    in the page (found on /desk and on a district vote's page)."""
    return [notice for notice in set(_NOTICE.findall(html)) if len(notice) > 20 and html.count(notice) > 1]


# Refusals and missing pages are Civic's error page, which says its code; these pages say more precisely why
# a link does not work, in their own words.
_OWN_ERROR_PAGES = ("/unsubscribe/",)
_ERROR_CODE = re.compile(r"(Code d’erreur|Error code) ?: ?(\d{3})")  # a space before the colon in French only


def error_page_problems(path, status, html):
    """An error answer (403, 404...) says so on the page: Civic's error page with its code."""
    if status < 400 or status == 400 or path.startswith(_OWN_ERROR_PAGES):
        return []
    shown = _ERROR_CODE.search(html.replace("\u00a0", " ").replace("\u202f", " "))
    if shown is None or int(shown.group(2)) != status:
        return [f"HTTP {status}, but the page says {shown.group(0) if shown else 'no error code'}"]
    return []
