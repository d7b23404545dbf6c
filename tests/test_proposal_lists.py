"""Proposal lists, search and comment threads at any size: pages found through indexes from where the
last one stopped, the same number of queries whatever the data, and every item reached exactly once."""
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select

from civic.db_types import utcnow
from civic.extensions import db
from civic.pagination import keyset_page
from civic.proposals import search, services
from civic.proposals.models import Comment, Proposal, ProposalState
from civic.themes.models import Theme
from civic.themes.services import ThemeName, theme_choices
from civic.proposals.services import REPLIES_SHOWN, list_proposals
from civic.text import searchable_text
from tests.client import Page
from tests.factories import make_comment, make_proposal, make_support, make_theme, make_user
from tests.queries import recording


def many_proposals(count, theme=None, author=None, start=None, **fields):
    """``count`` proposals in one statement, a minute apart (newest last), returned oldest first."""
    theme, author = theme or make_theme(), author or make_user()
    start = start or utcnow() - timedelta(days=30)
    rows = [{"title": f"Proposition {n}", "body": "Texte", "search_text": searchable_text(f"Proposition {n}", "Texte"),
             "theme_id": theme.id, "author_id": author.id, "state": ProposalState.PUBLISHED,
             "created_at": start + timedelta(minutes=n), "updated_at": start, "published_at": start,
             "language": "fr", **fields} for n in range(count)]
    db.session.execute(insert(Proposal), rows)
    db.session.commit()
    return db.session.execute(db.select(Proposal).order_by(Proposal.id.desc()).limit(count)).scalars().all()[::-1]


def many_comments(proposal, count, parent=None, author=None):
    author = author or make_user()
    start = utcnow() - timedelta(days=1)
    rows = [{"proposal_id": proposal.id, "author_id": author.id, "body": f"Avis {n}", "language": "fr",
             "parent_id": parent.id if parent else None, "created_at": start + timedelta(seconds=n)}
            for n in range(count)]
    db.session.execute(insert(Comment), rows)
    db.session.commit()


def walk(client_request, endpoint, selector, **args):
    """Every page of a list by following its "next page" links: the texts of ``selector`` on each page."""
    pages = [client_request.get(endpoint, **args)]
    while (link := pages[-1].select_one('.pagination a[rel="next"]')) is not None:
        pages.append(Page(client_request.client.get(link["href"])))
        assert pages[-1].status == 200
    return pages, [page.texts(selector) for page in pages]


def test_every_proposal_is_reached_once_page_by_page_and_back(app, client_request):
    created = many_proposals(34)
    pages, titles = walk(client_request, "proposals.index", ".cards .card-title")
    assert [len(t) for t in titles] == [10, 10, 10, 4]
    assert sum(titles, []) == [p.title for p in reversed(created)]
    assert [p.text('.pagination [aria-current="page"]') for p in pages] == [
        "Page 1 sur 4", "Page 2 sur 4", "Page 3 sur 4", "Page 4 sur 4"]
    # Back from the last page, by the "previous page" links.
    page, seen = pages[-1], []
    while (link := page.select_one('.pagination a[rel="prev"]')) is not None:
        page = Page(client_request.client.get(link["href"]))
        seen.append(page.texts(".cards .card-title"))
    assert seen == titles[-2::-1]
    # A page asked by its number, and a cursor that is not one, never fail.
    assert client_request.get("proposals.index", page=3).texts(".cards .card-title") == titles[2]
    for cursor in ("x", "2026-13-45T00:00:00~1", "~", "1~2~3~4", "2026-01-01T00:00:00~99999999999999999999"):
        assert client_request.get("proposals.index", after=cursor, page=2).status == 200
        assert client_request.get("proposals.index", before=cursor, page=2).status == 200


def test_a_long_list_says_more_than_the_count_cap_and_keeps_paging(app, client_request, monkeypatch):
    monkeypatch.setattr(services, "COUNT_CAP", 12)
    many_proposals(14)
    assert client_request.get("proposals.index").text('[role="status"]') == "Plus de 12 propositions trouvées"
    pages, titles = walk(client_request, "proposals.index", ".cards .card-title")
    assert [len(t) for t in titles] == [10, 4]
    assert [p.text('.pagination [aria-current="page"]') for p in pages] == ["Page 1", "Page 2"]
    monkeypatch.setattr(services, "COUNT_CAP", 14)
    assert client_request.get("proposals.index").text('[role="status"]') == "14 propositions trouvées"


def test_a_proposal_published_meanwhile_is_neither_repeated_nor_missed_by_the_next_page(app, client_request):
    many_proposals(15)
    first = client_request.get("proposals.index")
    make_proposal(title="Toute nouvelle")  # shows on the first page from now on
    second = Page(client_request.client.get(first.select_one('.pagination a[rel="next"]')["href"]))
    assert not set(first.texts(".card-title")) & set(second.texts(".card-title"))
    assert len(first.texts(".card-title")) + len(second.texts(".card-title")) == 15


def test_most_supported_comes_from_the_kept_count(ctx):
    theme = make_theme()
    quiet, popular, middle = (make_proposal(theme=theme, title=t) for t in ("Calme", "Populaire", "Moyenne"))
    for _ in range(3):
        make_support(popular)
    make_support(middle)
    page = list_proposals(sort="supported", theme_id=theme.id)
    assert [(row.proposal.title, row.supports) for row in page.items] == [
        ("Populaire", 3), ("Moyenne", 1), ("Calme", 0)]


@pytest.mark.parametrize("query, found", [
    ("velo", {"Vélo-école", "Des VÉLOS partout", "La vélorue"}),
    ("VÉLO", {"Vélo-école", "Des VÉLOS partout", "La vélorue"}),
    ("velo ecole", {"Vélo-école"}),
    ("ecole velo", {"Vélo-école"}),
    ("lorue", {"La vélorue"}),          # inside a word
    ("œuf", {"Œufs de Pâques"}),         # a ligature is its letters
    ("oeuf", {"Œufs de Pâques"}),
    ("pa", {"Œufs de Pâques", "Un parc", "Des VÉLOS partout"}),  # shorter than a trigram: still found
    ("parc x", set()),
    ("100%", {"100% bio"}),
    ("%", {"100% bio"}),
    ("_", {"Nom_de_code"}),
    ('"', {'Le "quartier"'}),
    ('"quartier"', {'Le "quartier"'}),
    ("quartier*", set()),
    ("AND", set()),
    ("-", {"Vélo-école"}),
    ("NEAR(velo ecole)", set()),
    ("ab", set()),
])
@pytest.mark.parametrize("common", [False, True], ids=["through the index", "along the list's order"])
def test_search_finds_words_anywhere_without_accents_the_same_on_both_databases(ctx, monkeypatch, query, found,
                                                                              common):
    if common:  # on SQLite every word is then common: checked on each proposal read in the list's order
        monkeypatch.setattr(search, "COMMON", 1)
    theme = make_theme()
    for title in ("Vélo-école", "Des VÉLOS partout", "La vélorue", "Œufs de Pâques", "Un parc", "100% bio",
                  "Nom_de_code", 'Le "quartier"', "Rien à voir"):
        make_proposal(theme=theme, title=title, body="")
    assert {row.proposal.title for row in list_proposals(query=query, theme_id=theme.id).items} == found


def test_search_follows_edits_and_deletions(ctx):
    theme = make_theme()
    proposal = make_proposal(theme=theme, title="Ancien titre", body="")
    proposal.title = "Nouveau titre"
    db.session.commit()
    assert [r.proposal.id for r in list_proposals(query="nouveau", theme_id=theme.id).items] == [proposal.id]
    assert list_proposals(query="ancien", theme_id=theme.id).items == []
    db.session.delete(proposal)
    db.session.commit()
    assert list_proposals(query="nouveau", theme_id=theme.id).items == []


def _statements(app, client_request, endpoint, **args):
    with recording(app) as statements:
        client_request.get(endpoint, **args)
    return statements


@pytest.mark.parametrize("args", [{}, {"sort": "supported"}, {"q": "proposition"}, {"state": "all"},
                                  {"answer": "none"}, {"page": 2}])
def test_the_list_costs_the_same_queries_for_ten_times_the_proposals(app, client_request, args):
    theme, author = make_theme(), make_user()
    supporters = [make_user() for _ in range(3)]

    def grow(count):
        for proposal in many_proposals(count, theme=theme, author=author):
            make_comment(proposal)
            for supporter in supporters:
                make_support(proposal, supporter)

    grow(12)
    few = _statements(app, client_request, "proposals.index", **args)
    grow(108)
    many = _statements(app, client_request, "proposals.index", **args)
    assert len(few) == len(many), f"{few}\n---\n{many}"
    home_few = _statements(app, client_request, "main.home")
    grow(12)
    assert len(_statements(app, client_request, "main.home")) == len(home_few)


def test_a_list_page_reads_its_proposals_in_one_statement(app, client_request):
    """The page's proposals come with their themes and counts in one statement, beside the list of themes and
    the capped count of matches; the home page's two lists are one statement."""
    many_proposals(12)
    statements = _statements(app, client_request, "proposals.index")
    assert len(statements) == 3, statements
    assert [s for s in statements if "FROM proposal" in s and "count(" not in s] == [statements[-1]]
    assert "JOIN theme" in statements[-1] and "LIMIT" in statements[-1]
    home = _statements(app, client_request, "main.home")
    assert sum(" FROM proposal" in s for s in home) == 1, home


def _thread_of_replies(proposal, replies):
    thread = make_comment(proposal, body="Premier avis")
    many_comments(proposal, replies, parent=thread)
    return thread


def test_the_proposal_page_costs_the_same_queries_for_ten_times_the_comments(app, client_request, login_as):
    login_as()
    proposal = make_proposal()

    def grow(threads):
        for _ in range(threads):
            _thread_of_replies(proposal, 5)

    grow(3)
    few = _statements(app, client_request, "proposals.detail", proposal_id=proposal.id)
    grow(30)
    many = _statements(app, client_request, "proposals.detail", proposal_id=proposal.id)
    assert len(few) == len(many), f"{few}\n---\n{many}"
    thread = _thread_of_replies(proposal, 3)
    few = _statements(app, client_request, "proposals.thread", proposal_id=proposal.id, comment_id=thread.id)
    many_comments(proposal, 60, parent=thread)
    many = _statements(app, client_request, "proposals.thread", proposal_id=proposal.id, comment_id=thread.id)
    assert len(few) == len(many), f"{few}\n---\n{many}"


def test_threads_come_ten_by_ten_with_their_first_replies(app, client_request):
    proposal = make_proposal()
    many_comments(proposal, 23)
    long_thread = db.session.execute(db.select(Comment).filter_by(body="Avis 4")).scalar_one()
    many_comments(proposal, 45, parent=long_thread)
    thread_bodies = ".comments > .thread > .comment > div:not(.actions)"
    pages, bodies = walk(client_request, "proposals.detail", thread_bodies, proposal_id=proposal.id)
    assert sum(bodies, []) == [f"Avis {n}" for n in range(23)]
    assert [len(b) for b in bodies] == [10, 10, 3]
    # The long thread shows its first replies, and leads to all of them.
    first = pages[0]
    shown = first.texts(".thread:nth-of-type(5) .replies .comment > div:not(.actions)")
    assert shown == ["Avis 0", "Avis 1", "Avis 2"]
    link = first.select_one('.replies a[href*="/comments/"]')
    assert link.get_text().startswith("Voir les 45 réponses")
    thread_pages, replies = walk(client_request, "proposals.thread", ".replies .comment > div:not(.actions)",
                                 proposal_id=proposal.id, comment_id=long_thread.id)
    assert sum(replies, []) == [f"Avis {n}" for n in range(45)]
    assert [len(r) for r in replies] == [20, 20, 5]
    assert all(p.text(".thread > .comment > div:not(.actions)") == "Avis 4" for p in thread_pages)


def test_a_comment_link_opens_the_page_that_shows_it(app, client_request, login_as):
    login_as()
    proposal = make_proposal()
    many_comments(proposal, 25)
    late = db.session.execute(db.select(Comment).filter_by(body="Avis 21")).scalar_one()
    many_comments(proposal, 30, parent=late)
    reply = db.session.execute(db.select(Comment).filter_by(body="Avis 27", parent_id=late.id)).scalar_one()
    page = client_request.get("proposals.comment_link", comment_id=late.id, _expected_status=302)
    assert page.location.endswith(f"/proposals/{proposal.id}?page=3#comment-{late.id}")
    assert Page(client_request.client.get(page.location)).has(f"#comment-{late.id}")
    page = client_request.get("proposals.comment_link", comment_id=reply.id, _expected_status=302)
    assert page.location.endswith(f"/proposals/{proposal.id}/comments/{late.id}?page=2#comment-{reply.id}")
    assert Page(client_request.client.get(page.location)).has(f"#comment-{reply.id}")
    # A new comment is written after the others: its author lands on the last page, at it.
    posted = client_request.post("proposals.comment", proposal_id=proposal.id, _data={"body": "Le dernier"})
    assert "?page=3#comment-" in posted.location
    replied = client_request.post("proposals.comment", proposal_id=proposal.id,
                                  _data={"body": "Une réponse de plus", "parent_id": str(late.id)})
    assert f"/comments/{late.id}?page=2#comment-" in replied.location


def test_comment_counts_are_those_of_the_proposals_shown(ctx):
    theme = make_theme()
    quiet, lively = make_proposal(theme=theme), make_proposal(theme=theme)
    for _ in range(3):
        make_comment(lively)
    hidden = make_comment(lively)
    hidden.hidden_at = utcnow()
    db.session.commit()
    rows = {row.proposal.id: row.comments for row in list_proposals(theme_id=theme.id).items}
    assert rows == {quiet.id: 0, lively.id: 3}
    assert services.proposal_counts(lively) == (0, 3)


def test_a_list_of_the_same_shape_reuses_its_statements_whatever_the_values(ctx):
    """Lists differing only by their values (theme, page, cursor) run the same statements, built once and their
    values bound (civic.pagination's built_once): building them cost as much as running them; a search's too, its
    words bound."""
    themes = [make_theme(), make_theme()]
    proposals = {theme.id: [p.id for p in many_proposals(15, theme=theme)] for theme in themes}
    executed = []

    def record(_connection, statement, *_args):
        executed.append(statement)

    # On the engine: a list of columns runs on the session's connection, not through the session's execute().
    event.listen(db.engine, "before_execute", record)
    try:
        for theme, ids in proposals.items():
            first = list_proposals(theme_id=theme, per_page=10)
            assert [row.proposal.id for row in first.items] == ids[::-1][:10]
            second = list_proposals(theme_id=theme, per_page=10, page=2, after=first.next_cursor)
            assert [row.proposal.id for row in second.items] == ids[::-1][10:]
            back = list_proposals(theme_id=theme, per_page=10, before=second.prev_cursor, page=2)
            assert back.items == first.items and back.total == 15
            assert list_proposals(theme_id=theme, per_page=10, page=2).items == second.items
        # One count, and the pages read first, after a cursor, before one and by number.
        distinct = {id(statement): statement for statement in executed}
        assert len(distinct) == 5, "\n".join(map(str, distinct.values()))
        # A search too, whatever its words: they are bound, and still choose the rows.
        executed.clear()
        first_theme, second_theme = proposals
        searched = list_proposals(query="proposition 3", theme_id=first_theme)
        assert [row.proposal.id for row in searched.items] == [i for i in proposals[first_theme][::-1]
                                                               if "3" in str(proposals[first_theme].index(i))]
        built = {id(statement) for statement in executed}
        again = list_proposals(query="ositio 14", theme_id=second_theme)
        assert [row.proposal.id for row in again.items] == [proposals[second_theme][14]]
        assert {id(statement) for statement in executed} == built
    finally:
        event.remove(db.engine, "before_execute", record)


def test_the_threads_of_any_proposal_are_read_by_the_same_statements(ctx):
    """A proposal page's threads, their first replies and counts: statements built once, the proposal and the
    threads bound at each page (any other proposal reuses them), and still each proposal's own threads."""
    executed, statements = [], []

    def record(_connection, statement, *_args):
        executed.append(statement)

    event.listen(db.engine, "before_execute", record)
    try:
        for replies in (REPLIES_SHOWN + 1, REPLIES_SHOWN + 2):
            proposal = make_proposal()
            _thread_of_replies(proposal, replies)
            proposal_id = proposal.id  # read again after the commit: not the page's
            executed.clear()
            page = services.comment_threads(proposal)
            assert [(t.proposal_id, len(shown), count) for t, shown, count in page.items] == [
                (proposal_id, REPLIES_SHOWN, replies)]
            statements.append({id(statement) for statement in executed})
    finally:
        event.remove(db.engine, "before_execute", record)
    assert len(statements[0]) == 4 and statements[0] == statements[1]


def test_a_list_of_cards_reads_columns_not_proposal_objects(client, ctx):
    """A list's filter of themes and its cards (the list, the home page, a process's page) read what they show as
    columns: no proposal nor theme object is loaded. The card still says the theme in the reader's language, the
    withdrawn state, the place and the counts; a feed, which shows more of each, still gets the proposals."""
    theme = make_theme(name="Mobilités", name_en="Transport")
    shown = make_proposal(theme=theme, title="Une piste cyclable", place="Rue Haute")
    withdrawn = make_proposal(theme=theme, title="Un parking", state=ProposalState.WITHDRAWN)
    make_support(shown)
    theme_id, ids = theme.id, [withdrawn.id, shown.id]
    db.session.expunge_all()
    page = list_proposals(theme_id=theme_id, state=None)
    assert [(row.proposal.id, row.proposal.title, row.supports) for row in page.items] == [
        (ids[0], "Un parking", 0), (ids[1], "Une piste cyclable", 1)]
    assert ThemeName(theme_id, "Mobilités", "Transport") in theme_choices()  # the list's filter
    assert not [obj for obj in db.session.identity_map.values() if isinstance(obj, (Proposal, Theme))]
    assert isinstance(list_proposals(theme_id=theme_id, with_authors=True).items[0].proposal, Proposal)
    for language, label in (("fr", "Mobilités"), ("en", "Transport")):
        cards = Page(client.get(f"/proposals/?theme={theme_id}&state=all", headers={"Accept-Language": language}))
        metas = cards.texts(".cards .card .meta")
        assert metas[1].startswith(label) and "Rue Haute" in metas[1]
        assert metas[0].split(" ", 1)[1].startswith(label)  # after "Retirée" / "Withdrawn"
        assert cards.select_one(f'#theme option[value="{theme_id}"]').text == label
        assert cards.texts(".cards .card .counts")[1] == {"fr": "1 soutien · 0 commentaire",
                                                          "en": "1 support · 0 comments"}[language]
        # French proposals: so said to a screen reader reading the English page.
        assert [h.get("lang") for h in cards.select(".cards .card-title")] == [None if language == "fr" else "fr"] * 2


@pytest.mark.parametrize("objects", [False, True])
def test_a_keyset_page_of_columns_finds_its_cursor_in_rows_read_without_the_orm(ctx, objects):
    """A list of columns is read on the connection, not through the ORM: its rows know their columns, not the mapped
    attributes. The page's cursors are read from the rows' positions, or by the table's columns when the order is
    given as those; the pages then follow one another as with objects."""
    ids = [p.id for p in many_proposals(5)][::-1]
    table = Proposal.__table__
    for order in ((Proposal.created_at, Proposal.id), (table.c.created_at, table.c.id)):
        statement = select(Proposal if objects else Proposal.title, Proposal.created_at, Proposal.id)
        first = keyset_page(statement, order, per_page=2, descending=True)
        second = keyset_page(statement, order, per_page=2, descending=True, page=2, after=first.next_cursor)
        back = keyset_page(statement, order, per_page=2, descending=True, before=second.prev_cursor, page=2)
        assert [row[-1] for row in first.items + second.items] == ids[:4]
        assert [row[-1] for row in back.items] == ids[:2]
