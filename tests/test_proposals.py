"""Submitting, listing, reading, editing and withdrawing proposals; supports."""
import pytest
from sqlalchemy import delete

from civic.accounts.models import Role
from civic.extensions import db
from civic.proposals.models import Comment, Proposal, ProposalState, Support
from civic.proposals.services import list_proposals
from tests.client import Page
from tests.factories import login, make_comment, make_proposal, make_support, make_theme, make_user


def _proposal_data(theme_obj, **changes):
    data = {"title": "Un jardin partagé rue des Écoles", "body": "Premier paragraphe.\n\nSecond.",
            "theme": str(theme_obj.id), "place": "Rue des Écoles"}
    data.update(changes)
    return data


def test_resident_submits_a_proposal(client_request, login_as):
    author = login_as()
    theme = make_theme("Cadre de vie")
    response = client_request.post("proposals.new", _data=_proposal_data(theme))
    proposal = db.session.execute(db.select(Proposal)).scalar_one()
    assert response.location.endswith(f"/proposals/{proposal.id}")
    assert proposal.author_id == author.id and proposal.state is ProposalState.PUBLISHED
    page = client_request.get("proposals.detail", proposal_id=proposal.id)
    assert page.h1 == "Un jardin partagé rue des Écoles" and not page.select_one("h1").has_attr("lang")
    assert page.texts(".proposal .body p") == ["Premier paragraphe.", "Second."]
    assert "Rue des Écoles" in page.texts(".proposal .summary dd")


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 121}, "title"),
    ({"body": "   "}, "body"),
    ({"theme": ""}, "theme"),
    ({"theme": "999999"}, "theme"),
    ({"theme": "abc"}, "theme"),
    ({"place": "p" * 201}, "place"),
])
def test_proposal_errors_keep_what_was_typed(client_request, login_as, changes, field):
    login_as()
    theme = make_theme()
    data = _proposal_data(theme, **changes)
    page = client_request.post("proposals.new", _data=data, _expected_status=200)
    assert page.title.startswith("Erreur : ")
    assert page.has(f'.error-summary a[href="#{field}"]')
    assert page.select_one(f"#{field}")["aria-describedby"] in (f"{field}-hint {field}-error", f"{field}-error")
    assert page.field_error(field)
    if field != "body":
        assert page.value("body") == "Premier paragraphe. Second."
    assert db.session.execute(db.select(db.func.count(Proposal.id))).scalar_one() == 0


def test_title_of_exactly_120_characters_is_accepted(client, login_as):
    login_as()
    assert client.post_form("/proposals/new", _proposal_data(make_theme(), title="é" * 120)).status_code == 302


def test_inactive_theme_cannot_be_chosen(client_request, login_as):
    login_as()
    theme = make_theme(active=False)
    page = client_request.post("proposals.new", _data=_proposal_data(theme), _expected_status=200)
    assert page.has('.error-summary a[href="#theme"]') and page.field_error("theme")


def test_anonymous_is_sent_to_log_in_and_staff_cannot_propose(client, ctx):
    response = client.get("/proposals/new")
    assert response.status_code == 302 and "/login?next=/proposals/new" in response.location
    for role in (Role.COUNTER_AGENT, Role.MODERATOR, Role.ELECTED, Role.ADMIN):
        user = make_user(role=role)
        login(client, user)
        assert client.get("/proposals/new").status_code == 403
        client.post_form("/logout")


def test_body_text_is_escaped_and_links_are_safe(client, ctx):
    proposal = make_proposal(body='<script>alert(1)</script> voir https://example.org/a?b=1&c=2. '
                                  'et javascript:alert(1)\nligne deux')
    response = client.get(f"/proposals/{proposal.id}")
    html, page = response.get_data(as_text=True), Page(response)
    # Escaping is a property of the raw HTML: checked there.
    assert "<script>alert(1)</script>" not in html and not page.has(".proposal .body script")
    assert "&lt;script&gt;" in html and "<script>alert(1)</script>" in page.text(".proposal .body")
    assert [(a["href"], a["rel"]) for a in page.select(".proposal .body a")] == [
        ("https://example.org/a?b=1&c=2", ["nofollow", "ugc", "noopener"])]
    assert 'href="https://example.org/a?b=1&amp;c=2"' in html
    assert 'href="javascript' not in html
    line_break = page.select_one(".proposal .body br")
    assert line_break is not None and line_break.next_sibling.startswith("ligne deux")


def test_list_filters_sorts_searches_and_paginates(app, client, ctx):
    mobility, nature = make_theme("Mobilité"), make_theme("Nature")
    old = make_proposal(theme=mobility, title="Piste cyclable", body="Pour l'école")
    new = make_proposal(theme=nature, title="Arbres", body="Des arbres à l'École Pasteur")
    withdrawn = make_proposal(theme=nature, title="Retirée", state=ProposalState.WITHDRAWN, withdrawn_reason="doublon")
    make_support(old)
    make_support(old)
    make_support(new)

    def titles(query):
        shown = Page(client.get("/proposals/" + query)).texts(".cards .card-title a")
        return [p.title for p in (old, new, withdrawn) if p.title in shown]

    assert titles("") == ["Piste cyclable", "Arbres"]
    assert titles(f"?theme={nature.id}") == ["Arbres"]
    assert titles("?state=withdrawn") == ["Retirée"]
    assert titles("?state=all") == ["Piste cyclable", "Arbres", "Retirée"]
    assert titles("?q=ECOLE") == ["Piste cyclable", "Arbres"]  # accents and case ignored
    assert titles("?q=pasteur+ecole") == ["Arbres"]
    assert titles("?q=100%25") == []
    assert titles("?state=bogus&sort=bogus&theme=x&page=-3") == ["Piste cyclable", "Arbres"]

    by_support = list_proposals(sort="supported")
    assert [row[0].title for row in by_support.items] == ["Piste cyclable", "Arbres"]
    assert [row.supports for row in by_support.items] == [2, 1]
    newest = list_proposals(sort="newest")
    assert [row[0].id for row in newest.items] == [new.id, old.id]

    theme = make_theme()
    for i in range(12):
        make_proposal(theme=theme, title=f"Idée {i}")
    first = Page(client.get(f"/proposals/?theme={theme.id}"))
    assert "Idée 11" in first.texts(".cards .card-title a") and "Idée 1" not in first.texts(".cards .card-title a")
    assert first.has('.pagination a[rel="next"]')
    second = Page(client.get(f"/proposals/?theme={theme.id}&page=2"))
    assert "Idée 1" in second.texts(".cards .card-title a") and second.has('.pagination a[rel="prev"]')
    assert client.get(f"/proposals/?theme={theme.id}&page=99").status_code == 200


def test_counts_are_computed_from_the_data(client, ctx):
    proposal = make_proposal()
    for _ in range(3):
        make_support(proposal)
    comment = make_comment(proposal)
    make_comment(proposal)
    comment.deleted_at = comment.created_at
    db.session.commit()
    db.session.execute(db.delete(Support).where(Support.id == db.session.execute(
        db.select(db.func.min(Support.id))).scalar_one()))
    db.session.commit()
    row = list_proposals().items[0]
    assert (row.supports, row.comments) == (2, 1)


def test_unknown_proposal_is_a_404(client, ctx):
    assert client.get("/proposals/424242").status_code == 404


def test_support_once_and_withdraw(client, login_as):
    user = login_as()
    proposal = make_proposal()
    assert client.post_form(f"/proposals/{proposal.id}/support").status_code == 302
    assert client.post_form(f"/proposals/{proposal.id}/support").status_code == 302  # double submission
    count = db.session.execute(db.select(db.func.count(Support.id)).filter_by(user_id=user.id)).scalar_one()
    assert count == 1
    page = Page(client.get(f"/proposals/{proposal.id}"))
    assert page.has(f'#support form[action="/proposals/{proposal.id}/support/withdraw"]')
    client.post_form(f"/proposals/{proposal.id}/support/withdraw")
    assert db.session.execute(db.select(db.func.count(Support.id))).scalar_one() == 0


def test_support_unique_constraint_holds_in_the_database(ctx):
    from sqlalchemy.exc import IntegrityError

    proposal, user = make_proposal(), make_user()
    make_support(proposal, user)
    db.session.add(Support(proposal_id=proposal.id, user_id=user.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_support_race_is_absorbed(ctx, app):
    """The check-then-insert race ends on the UNIQUE constraint, not in a 500."""
    from civic.proposals import services

    proposal, user = make_proposal(), make_user()
    with app.test_request_context():
        original = services.has_supported
        services.has_supported = lambda u, p: False  # as if the other request had not committed yet
        try:
            assert services.support_proposal(user, proposal) is True
            db.session.commit()
            assert services.support_proposal(user, proposal) is False
            db.session.commit()
        finally:
            services.has_supported = original
    assert db.session.execute(db.select(db.func.count(Support.id))).scalar_one() == 1


def test_support_needs_csrf_and_login(client, ctx):
    proposal = make_proposal()
    assert client.post(f"/proposals/{proposal.id}/support").status_code == 400
    response = client.post_form(f"/proposals/{proposal.id}/support")
    assert response.status_code == 302 and "/login" in response.location


def test_withdrawn_proposal_cannot_be_supported_or_commented(client, login_as):
    login_as()
    proposal = make_proposal(state=ProposalState.WITHDRAWN, withdrawn_reason="doublon")
    assert client.post_form(f"/proposals/{proposal.id}/support").status_code == 403
    assert client.post_form(f"/proposals/{proposal.id}/comments", {"body": "Hello"}).status_code == 403
    page = Page(client.get(f"/proposals/{proposal.id}"))
    assert "doublon" in page.text(".proposal .notice") and not page.has('[action$="/support"], [href$="/support"]')


def test_author_edits_until_there_is_activity(client_request, login_as):
    author = login_as()
    proposal = make_proposal(author=author)
    theme = make_theme()
    page = client_request.get("proposals.edit", proposal_id=proposal.id)
    assert page.value("title") == "Des bancs place du marché"
    page = client_request.post("proposals.edit", proposal_id=proposal.id, _data=_proposal_data(theme, title=""),
                               _expected_status=200)
    assert page.title.startswith("Erreur : ") and page.field_error("title") == "Saisissez un titre."
    client_request.post("proposals.edit", proposal_id=proposal.id, _data=_proposal_data(theme, title="Nouveau titre"))
    db.session.refresh(proposal)
    assert proposal.title == "Nouveau titre" and proposal.theme_id == theme.id
    assert "nouveau titre" in proposal.search_text

    make_support(proposal)
    client_request.post("proposals.edit", proposal_id=proposal.id, _data=_proposal_data(theme, title="Encore"))
    db.session.refresh(proposal)
    assert proposal.title == "Nouveau titre"


def test_comment_also_locks_editing(client, login_as):
    author = login_as()
    proposal = make_proposal(author=author)
    make_comment(proposal)
    assert client.get(f"/proposals/{proposal.id}/edit").status_code == 302


def test_someone_else_cannot_edit_or_withdraw(client, login_as):
    login_as()
    proposal = make_proposal()
    assert client.get(f"/proposals/{proposal.id}/edit").status_code == 403
    assert client.post_form(f"/proposals/{proposal.id}/edit", _proposal_data(make_theme())).status_code == 403
    assert client.get(f"/proposals/{proposal.id}/withdraw").status_code == 403
    assert client.post_form(f"/proposals/{proposal.id}/withdraw", {"reason": "x"}).status_code == 403
    db.session.refresh(proposal)
    assert proposal.state is ProposalState.PUBLISHED


def test_author_withdraws_with_a_reason(client, login_as):
    author = login_as()
    proposal = make_proposal(author=author)
    make_support(proposal)
    page = Page(client.post_form(f"/proposals/{proposal.id}/withdraw", {"reason": ""}))
    assert page.title.startswith("Erreur : ") and page.has('.error-summary a[href="#reason"]')
    assert page.field_error("reason")
    assert client.post_form(f"/proposals/{proposal.id}/withdraw", {"reason": "Fusion avec une autre"}).status_code == 302
    db.session.refresh(proposal)
    assert proposal.state is ProposalState.WITHDRAWN and proposal.withdrawn_reason == "Fusion avec une autre"
    assert "Fusion avec une autre" in Page(client.get(f"/proposals/{proposal.id}")).text(".proposal .notice")
    assert client.get(f"/proposals/{proposal.id}/withdraw").status_code == 403


def test_text_is_marked_with_the_language_it_was_written_in(client, login_as):
    login_as()
    theme = make_theme()
    client.get("/lang/en")
    client.post_form("/proposals/new", _proposal_data(theme, title="A shared garden"))
    proposal = db.session.execute(db.select(Proposal)).scalar_one()
    assert proposal.language == "en"
    page = Page(client.get(f"/proposals/{proposal.id}"))
    assert page.h1 == "A shared garden" and not page.select_one("h1").has_attr("lang")
    client.get("/lang/fr")
    page = Page(client.get(f"/proposals/{proposal.id}"))
    assert page.h1 == "A shared garden" and page.select_one("h1")["lang"] == "en"


def test_a_removed_proposals_number_is_never_given_again(ctx):
    """Receipts and the audit log name proposals by number: once the newest is removed (its author erased their
    account with their contributions), the next one must not take it (SQLite reuses the largest id + 1 without
    AUTOINCREMENT; PostgreSQL's sequences never reuse)."""
    removed = make_proposal()
    comment = make_comment(proposal=removed)
    numbers = removed.id, comment.id
    db.session.execute(delete(Comment).where(Comment.id == comment.id))
    db.session.execute(delete(Proposal).where(Proposal.id == removed.id))
    db.session.flush()
    newer = make_proposal()
    assert newer.id > numbers[0] and make_comment(proposal=newer).id > numbers[1]
