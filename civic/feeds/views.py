"""The feeds' blueprint, mounted at /flux: one view per feed, ``?theme=`` or ``?district=`` for a part of it.

Each feed is found by the service of the public list it follows, so it holds nothing that list would not show to an
anonymous visitor, in a constant number of statements. Addresses are built from the public address (civic.links):
a feed is read far from the request that made it. No cookie: a feed is the same for everybody."""
from flask import Blueprint, abort, current_app, request
from flask_babel import gettext as _, lazy_gettext as _l
from flask_limiter.util import get_remote_address

from .. import identity, labels, limits
from ..access import public
from ..accounts.models import District
from ..answers.services import latest_answers
from ..decisions.services import latest_opened, latest_published
from ..extensions import db
from ..i18n import current_language
from ..links import public_url
from ..proposals.models import ProposalState
from ..proposals.services import list_proposals
from ..routing import parse_id
from ..site_map import not_in_site_map
from ..static_files import without_cookie
from ..themes.models import Theme
from .atom import Entry, Feed, document, excerpt

bp = Blueprint("feeds", __name__)

ENTRIES = 50
CACHE = "public, max-age=300"

_reads = limits.shared_per_key("API_LIMIT_PER_IP", "feeds", get_remote_address)


def titled(title):
    """The feed's title where a page lists the feeds (the open data portal reads ``civic_feed_title``)."""
    def decorate(view):
        view.civic_feed_title = title
        return view
    return decorate


@bp.before_request
def _read_by_programs():
    without_cookie()


def _chosen(model, name):
    """The theme or district ``?name=`` names, None without one; 404 for one that does not exist."""
    if name not in request.args:
        return None
    chosen = db.session.get(model, parse_id(request.args[name], 0) or 0)
    if chosen is None:
        abort(404)
    return chosen


def _answer(endpoint, title, page, entries, **filters):
    who = identity.current()
    feed = Feed(id=public_url(endpoint, **filters), title=f"{title} – {who.name}", page=page,
                author=who.name, author_uri=public_url("main.home"), language=current_language(), entries=entries)
    response = current_app.response_class(document(feed), mimetype="application/atom+xml")
    response.headers["Cache-Control"] = CACHE
    response.vary.update(("Accept-Language", "Cookie"))  # titles in the language chosen on the site
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/propositions.atom")
@titled(_l("New proposals"))
@public
@not_in_site_map("an Atom feed, for feed readers: the list of proposals links to it")
@_reads
def proposals():
    theme, district = _chosen(Theme, "theme"), _chosen(District, "district")
    language = current_language()
    rows = list_proposals(state=ProposalState.PUBLISHED, theme_id=theme.id if theme else None,
                          district_id=district.id if district else None, per_page=ENTRIES, counted=False,
                          with_authors=True).items
    entries = [Entry(id=public_url("proposals.detail", proposal_id=p.id), title=p.title,
                     updated=p.published_at or p.created_at, published=p.created_at,
                     link=public_url("proposals.detail", proposal_id=p.id), summary=excerpt(p.body),
                     author=p.author.display_name, categories=(p.theme.label(language),))
               for p, _supports, _comments in rows]
    filters = {name: chosen.id for name, chosen in (("theme", theme), ("district", district)) if chosen}
    scope = ", ".join(name for name in (theme and theme.label(language), district and district.name) if name)
    title = _("New proposals in %(scope)s", scope=scope) if scope else _("New proposals")
    return _answer("feeds.proposals", title, public_url("proposals.index", **({"theme": theme.id} if theme else {})),
                   entries, **filters)


@bp.route("/reponses.atom")
@titled(_l("Official answers"))
@public
@not_in_site_map("an Atom feed, for feed readers: the list of proposals links to it")
@_reads
def answers():
    theme = _chosen(Theme, "theme")
    language, who = current_language(), identity.current().name
    entries = [Entry(id=public_url("proposals.detail", proposal_id=p.id, _anchor="answer"),
                     title=_("Official answer to “%(title)s”: %(status)s", title=p.title,
                             status=labels.label(a.status)),
                     updated=a.updated_at, published=a.created_at,
                     link=public_url("proposals.detail", proposal_id=p.id, _anchor="answer"),
                     summary=excerpt(a.text), author=who, categories=(p.theme.label(language),))
               for a, p in latest_answers(ENTRIES, theme.id if theme else None)]
    if theme is None:
        return _answer("feeds.answers", _("Official answers"), public_url("proposals.index"), entries)
    return _answer("feeds.answers", _("Official answers in %(theme)s", theme=theme.label(language)),
                   public_url("proposals.index", theme=theme.id), entries, theme=theme.id)


def _vote_entries(decisions, endpoint, title, moment):
    who = identity.current().name
    return [Entry(id=public_url(endpoint, decision_id=d.id), title=title(d), updated=moment(d),
                  link=public_url(endpoint, decision_id=d.id), summary=excerpt(d.question), author=who)
            for d in decisions]


@bp.route("/votes.atom")
@titled(_l("Votes opened"))
@public
@not_in_site_map("an Atom feed, for feed readers: the list of votes links to it")
@_reads
def votes():
    district = _chosen(District, "district")
    entries = _vote_entries(latest_opened(ENTRIES, district.id if district else None), "decisions.detail",
                            lambda d: d.title, lambda d: d.opens_at)
    if district is None:
        return _answer("feeds.votes", _("Votes opened"), public_url("decisions.index"), entries)
    return _answer("feeds.votes", _("Votes opened in %(district)s", district=district.name),
                   public_url("decisions.index"), entries, district=district.id)


@bp.route("/resultats.atom")
@titled(_l("Results published"))
@public
@not_in_site_map("an Atom feed, for feed readers: the list of votes links to it")
@_reads
def results():
    district = _chosen(District, "district")
    entries = _vote_entries(latest_published(ENTRIES, district.id if district else None), "decisions.results",
                            lambda d: _("Results: %(title)s", title=d.title), lambda d: d.published_at)
    if district is None:
        return _answer("feeds.results", _("Results published"), public_url("decisions.index"), entries)
    return _answer("feeds.results", _("Results published in %(district)s", district=district.name),
                   public_url("decisions.index"), entries, district=district.id)
