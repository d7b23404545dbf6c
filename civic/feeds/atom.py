"""An Atom document (RFC 4287) written from plain values: the feed, then its entries, newest first."""
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree import ElementTree

ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry, even escaped: a control character pasted in a text would break the whole feed.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
SUMMARY_LENGTH = 500
# The "updated" of a feed without entries: a fixed date rather than now, so that its ETag stays the same and a
# reader polling it gets 304 until something appears.
NEVER_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)

ElementTree.register_namespace("", ATOM)  # written as the default namespace, not as "ns0:"


@dataclass(frozen=True)
class Entry:
    id: str  # its page's public address, which stays the same
    title: str
    updated: datetime
    link: str
    summary: str  # plain text
    author: str
    published: datetime | None = None
    categories: tuple = ()


@dataclass(frozen=True)
class Feed:
    id: str  # its own public address, with its filter
    title: str
    page: str  # the public page that lists the same things
    author: str  # the collectivité
    author_uri: str
    language: str
    entries: list = field(default_factory=list)


def _text(value):
    return NOT_XML.sub("", str(value))


def _date(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def excerpt(text, length=SUMMARY_LENGTH):
    """The text cut after a word, within ``length`` characters, "…" saying it goes on."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[:length - 1].rsplit(" ", 1)[0] + "…"


def _add(parent, tag, text=None, **attributes):
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _text(text)
    return element


def _person(parent, tag, name, uri=None):
    person = _add(parent, tag)
    _add(person, "name", name)
    if uri:
        _add(person, "uri", uri)


def document(feed):
    """The feed as UTF-8 bytes."""
    root = ElementTree.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": feed.language})
    _add(root, "id", feed.id)
    _add(root, "title", feed.title)
    newest = max((e.updated for e in feed.entries), default=NEVER_UPDATED)
    _add(root, "updated", _date(newest))
    _add(root, "link", rel="self", type="application/atom+xml", href=feed.id)
    _add(root, "link", rel="alternate", type="text/html", href=feed.page)
    _person(root, "author", feed.author, feed.author_uri)
    for item in feed.entries:
        entry = _add(root, "entry")
        _add(entry, "id", item.id)
        _add(entry, "title", item.title)
        _add(entry, "updated", _date(item.updated))
        if item.published is not None:
            _add(entry, "published", _date(item.published))
        _add(entry, "link", rel="alternate", type="text/html", href=item.link)
        _person(entry, "author", item.author)
        for term in item.categories:
            _add(entry, "category", term=term)
        _add(entry, "summary", item.summary, type="text")
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
