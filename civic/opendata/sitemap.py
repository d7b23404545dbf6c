"""What search engines are told: robots.txt (what not to crawl) and sitemap.xml (what to crawl).

sitemap.xml lists the public pages of the site map (civic.site_map: the views declared ``@public`` and
``@in_site_map``) and the page of every public record, registered by the package that owns them
(``register(RecordPages(...))`` in its registrations.py), so that no distant file lists other packages'
records. Beyond ``LIMIT`` addresses (the protocol's 50 000), it is a sitemap index of parts of at most
``LIMIT`` each. Addresses are absolute, from the configured public address (civic.links), never the request's.
"""
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..links import public_url
from ..registry import Registry
from ..site_map import InMap, declared

LIMIT = 50_000
PAGES = "pages"  # the part of the site map's pages
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Areas that are somebody's (an account, the desk, moderation, administration) or steps of a form, and the
# big files: crawlers get nothing from them. Allowed before disallowed: the first match decides for some.
ALLOWED = ("/moderation/journal",)
DISALLOWED = ("/account", "/admin/", "/desk", "/moderation/", "/login", "/logout", "/register", "/password/",
              "/confirm/", "/unsubscribe/", "/c/", "/lang/", "/report/", "/proposals/new", "/decisions/new",
              "/decisions/*/ballots", "/donnees/civic-donnees.zip")


@dataclass(frozen=True)
class RecordPages:
    name: str  # the part of the sitemap index that lists them
    endpoint: str  # the record's page
    argument: str  # the name of the record's number in the endpoint's address
    query: Callable  # () -> Select of the numbers of the records anybody may open, one column
    order: int = 100


_record_pages = Registry("sitemap record pages")


def register(pages):
    return _record_pages.add(pages.name, pages)


def record_pages():
    return sorted(_record_pages.values(), key=lambda p: (p.order, p.name))


def _base_path():
    return urlsplit(current_app.config["PUBLIC_URL"]).path.rstrip("/")


def robots_txt():
    base = _base_path()
    lines = ["User-agent: *"]
    lines += [f"Allow: {base}{path}" for path in ALLOWED]
    lines += [f"Disallow: {base}{path}" for path in DISALLOWED]
    lines += ["", f"Sitemap: {public_url('opendata.sitemap_xml')}", ""]
    return "\n".join(lines)


def _crawlable(url):
    path = urlsplit(url).path.removeprefix(_base_path())
    return any(path.startswith(p) for p in ALLOWED) or not any(
        path.startswith(p) for p in DISALLOWED if "*" not in p)


def page_urls():
    """The site map's pages that an anonymous visitor may open, absolute."""
    urls = [public_url(endpoint) for endpoint, declaration in declared(current_app).items()
            if isinstance(declaration, InMap)
            and getattr(current_app.view_functions[endpoint], "civic_access", None) == "public"]
    return [url for url in urls if _crawlable(url)]


def _count(pages):
    return db.session.execute(select(func.count()).select_from(pages.query().subquery())).scalar_one()


def _counts():
    return {p.name: _count(p) for p in record_pages()}


def _record_urls(pages, offset=0, limit=None):
    slot = 987654321987  # a number no record has: the address is built once, each number put in it
    before, after = public_url(pages.endpoint, **{pages.argument: slot}).split(str(slot))
    statement = pages.query()
    statement = statement.order_by(*statement.selected_columns).offset(offset).limit(limit)
    for number in db.session.execute(statement.execution_options(yield_per=1000)).scalars():
        yield f"{before}{number}{after}"


def _urlset(urls):
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NAMESPACE}">\n'
    for url in urls:
        yield f"<url><loc>{escape(url)}</loc></url>\n"
    yield "</urlset>\n"


def _all_urls(pages, counts):
    yield from pages
    for records in record_pages():
        if counts[records.name]:
            yield from _record_urls(records)


def sitemap():
    """sitemap.xml, a line at a time: every address, or the index of the parts when they are more than LIMIT."""
    pages, counts = page_urls(), _counts()
    if len(pages) + sum(counts.values()) <= LIMIT:
        yield from _urlset(_all_urls(pages, counts))
        return
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{NAMESPACE}">\n'
    parts = [(PAGES, 1)] + [(p.name, n + 1) for p in record_pages() for n in range(-(-counts[p.name] // LIMIT))]
    for name, number in parts:
        yield f"<sitemap><loc>{escape(public_url('opendata.sitemap_part', name=name, number=number))}</loc></sitemap>\n"
    yield "</sitemapindex>\n"


def sitemap_part(name, number):
    """A part of the sitemap index, or None when there is no such part."""
    if number < 1:
        return None
    if name == PAGES:
        return _urlset(page_urls()) if number == 1 else None
    pages = _record_pages.get(name)
    if pages is None:
        return None
    if (number - 1) * LIMIT >= _count(pages):
        return None
    return _urlset(_record_urls(pages, (number - 1) * LIMIT, LIMIT))
