"""Submitting, listing, reading, editing and withdrawing proposals; supports."""
import pytest

from civic.accounts.models import Role
from civic.extensions import db
from civic.proposals.models import Proposal, ProposalState, Support
from civic.proposals.services import list_proposals
from tests.factories import login, make_comment, make_proposal, make_support, make_theme, make_user


def _proposal_data(theme_obj, **changes):
    data = {"title": "Un jardin partagé rue des Écoles", "body": "Premier paragraphe.\n\nSecond.",
            "theme": str(theme_obj.id), "place": "Rue des Écoles"}
    data.update(changes)
    return data


def test_resident_submits_a_proposal(client, login_as):
    author = login_as()
    theme = make_theme("Cadre de vie")
    response = client.post_form("/proposals/new", _proposal_data(theme))
    assert response.status_code == 302
    proposal = db.session.execute(db.select(Proposal)).scalar_one()
    assert response.location.endswith(f"/proposals/{proposal.id}")
    assert proposal.author_id == author.id and proposal.state is ProposalState.PUBLISHED
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "<h1>Un jardin partagé rue des Écoles</h1>" in html
    assert "<p>Premier paragraphe.</p>" in html and "<p>Second.</p>" in html
    assert "Rue des Écoles" in html


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 121}, "title"),
    ({"body": "   "}, "body"),
    ({"theme": ""}, "theme"),
    ({"theme": "999999"}, "theme"),
    ({"theme": "abc"}, "theme"),
    ({"place": "p" * 201}, "place"),
])
def test_proposal_errors_keep_what_was_typed(client, login_as, changes, field):
    login_as()
    theme = make_theme()
    data = _proposal_data(theme, **changes)
    response = client.post_form("/proposals/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Erreur : " in html
    assert f'href="#{field}"' in html
    assert f'aria-describedby="{field}-hint {field}-error"' in html or f'aria-describedby="{field}-error"' in html
    if field != "body":
        assert "Premier paragraphe." in html
    assert db.session.execute(db.select(db.func.count(Proposal.id))).scalar_one() == 0


def test_title_of_exactly_120_characters_is_accepted(client, login_as):
    login_as()
    assert client.post_form("/proposals/new", _proposal_data(make_theme(), title="é" * 120)).status_code == 302


def test_inactive_theme_cannot_be_chosen(client, login_as):
    login_as()
    theme = make_theme(active=False)
    html = client.post_form("/proposals/new", _proposal_data(theme)).get_data(as_text=True)
    assert 'href="#theme"' in html


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
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">' in html
    assert 'href="javascript' not in html
    assert "<br>ligne deux" in html


def test_list_filters_sorts_searches_and_paginates(app, client, ctx):
    mobility, nature = make_theme("Mobilité"), make_theme("Nature")
    old = make_proposal(theme=mobility, title="Piste cyclable", body="Pour l'école")
    new = make_proposal(theme=nature, title="Arbres", body="Des arbres à l'École Pasteur")
    withdrawn = make_proposal(theme=nature, title="Retirée", state=ProposalState.WITHDRAWN, withdrawn_reason="doublon")
    make_support(old)
    make_support(old)
    make_support(new)

    def titles(query):
        html = client.get("/proposals/" + query).get_data(as_text=True)
        return [p.title for p in (old, new, withdrawn) if f">{p.title}</a>" in html]

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
    first = client.get(f"/proposals/?theme={theme.id}").get_data(as_text=True)
    assert "Idée 11" in first and "Idée 1<" not in first and 'rel="next"' in first
    second = client.get(f"/proposals/?theme={theme.id}&page=2").get_data(as_text=True)
    assert "Idée 1<" in second and 'rel="prev"' in second
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
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "/support/withdraw" in html
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
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "doublon" in html and "/support\"" not in html


def test_author_edits_until_there_is_activity(client, login_as):
    author = login_as()
    proposal = make_proposal(author=author)
    theme = make_theme()
    page = client.get(f"/proposals/{proposal.id}/edit").get_data(as_text=True)
    assert 'value="Des bancs place du marché"' in page
    html = client.post_form(f"/proposals/{proposal.id}/edit", _proposal_data(theme, title="")).get_data(as_text=True)
    assert "<title>Erreur : " in html
    response = client.post_form(f"/proposals/{proposal.id}/edit", _proposal_data(theme, title="Nouveau titre"))
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.title == "Nouveau titre" and proposal.theme_id == theme.id
    assert "nouveau titre" in proposal.search_text

    make_support(proposal)
    response = client.post_form(f"/proposals/{proposal.id}/edit", _proposal_data(theme, title="Encore"))
    assert response.status_code == 302
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
    html = client.post_form(f"/proposals/{proposal.id}/withdraw", {"reason": ""}).get_data(as_text=True)
    assert "<title>Erreur : " in html and 'href="#reason"' in html
    assert client.post_form(f"/proposals/{proposal.id}/withdraw", {"reason": "Fusion avec une autre"}).status_code == 302
    db.session.refresh(proposal)
    assert proposal.state is ProposalState.WITHDRAWN and proposal.withdrawn_reason == "Fusion avec une autre"
    assert "Fusion avec une autre" in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert client.get(f"/proposals/{proposal.id}/withdraw").status_code == 403


def test_text_is_marked_with_the_language_it_was_written_in(client, login_as):
    login_as()
    theme = make_theme()
    client.get("/lang/en")
    client.post_form("/proposals/new", _proposal_data(theme, title="A shared garden"))
    proposal = db.session.execute(db.select(Proposal)).scalar_one()
    assert proposal.language == "en"
    assert "<h1>A shared garden</h1>" in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    client.get("/lang/fr")
    assert '<h1 lang="en">A shared garden</h1>' in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
