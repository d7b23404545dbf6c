"""Comments with one level of replies; deletion by their author."""
from civic.extensions import db
from civic.proposals.models import Comment, ProposalState
from tests.client import Page
from tests.factories import login, make_comment, make_proposal, make_user

COMMENT_BODIES = ".comments .comment > div:not(.actions)"
THREAD_COMMENT = ".thread > .comment > div:not(.actions)"


def test_comment_and_reply(client, login_as):
    user = login_as()
    proposal = make_proposal()
    response = client.post_form(f"/proposals/{proposal.id}/comments", {"body": "Très bonne idée"})
    assert response.status_code == 302
    comment = db.session.execute(db.select(Comment)).scalar_one()
    assert response.location.endswith(f"#comment-{comment.id}")
    assert comment.author_id == user.id and comment.parent_id is None

    response = client.get(f"/proposals/{proposal.id}/comments/{comment.id}")
    assert response.status_code == 200 and Page(response).text(THREAD_COMMENT) == "Très bonne idée"
    client.post_form(f"/proposals/{proposal.id}/comments", {"body": "Merci", "parent_id": str(comment.id)})
    reply = db.session.execute(db.select(Comment).filter_by(body="Merci")).scalar_one()
    assert reply.parent_id == comment.id

    # Replying to a reply stays one level deep.
    client.post_form(f"/proposals/{proposal.id}/comments", {"body": "Et moi", "parent_id": str(reply.id)})
    assert db.session.execute(db.select(Comment).filter_by(body="Et moi")).scalar_one().parent_id == comment.id

    page = Page(client.get(f"/proposals/{proposal.id}"))
    assert page.texts(COMMENT_BODIES) == ["Très bonne idée", "Merci", "Et moi"]
    assert page.texts(".comments .replies .comment > div:not(.actions)") == ["Merci", "Et moi"]
    assert page.text("#comments-title") == "3 commentaires"


def test_empty_or_too_long_comment_keeps_the_text(client_request, login_as):
    login_as()
    proposal = make_proposal()
    page = client_request.post("proposals.comment", proposal_id=proposal.id, _data={"body": "  "}, _expected_status=200)
    assert page.title.startswith("Erreur : ") and page.has('.error-summary a[href="#body"]')
    assert page.field_error("body")
    long_text = "a" * 3001
    page = client_request.post("proposals.comment", proposal_id=proposal.id, _data={"body": long_text},
                               _expected_status=200)
    assert page.title.startswith("Erreur : ") and page.value("body") == long_text and page.field_error("body")
    assert db.session.execute(db.select(db.func.count(Comment.id))).scalar_one() == 0


def test_reply_errors_stay_on_the_reply_page(client_request, login_as):
    login_as()
    proposal = make_proposal()
    parent = make_comment(proposal, body="Le parent")
    page = client_request.post("proposals.comment", proposal_id=proposal.id,
                               _data={"body": "", "parent_id": str(parent.id)}, _expected_status=200)
    assert page.title.startswith("Erreur : ") and page.text(THREAD_COMMENT) == "Le parent"
    assert page.value("parent_id") == str(parent.id) and page.field_error("body")


def test_reply_to_a_comment_of_another_proposal_is_refused(client, login_as):
    login_as()
    proposal, other = make_proposal(), make_proposal()
    foreign = make_comment(other)
    page = Page(client.post_form(f"/proposals/{proposal.id}/comments", {"body": "x", "parent_id": str(foreign.id)}))
    assert page.title.startswith("Erreur : ") and page.errors
    assert client.get(f"/proposals/{proposal.id}/comments/{foreign.id}").status_code == 404


def test_author_deletes_own_comment_and_replies_stay(client, login_as):
    user = login_as()
    proposal = make_proposal()
    comment = make_comment(proposal, author=user, body="Je me suis trompé")
    make_comment(proposal, body="Une réponse", parent=comment)
    assert client.post_form(f"/proposals/comments/{comment.id}/delete").status_code == 302
    db.session.refresh(comment)
    assert comment.is_deleted
    response = client.get(f"/proposals/{proposal.id}")
    assert "Je me suis trompé" not in response.get_data(as_text=True)
    assert Page(response).texts(COMMENT_BODIES) == ["Une réponse"]
    # Deleting twice is refused, not an error page.
    assert client.post_form(f"/proposals/comments/{comment.id}/delete").status_code == 403


def test_deleting_a_comment_asks_for_confirmation(client_request, login_as):
    user = login_as()
    proposal = make_proposal()
    comment = make_comment(proposal, author=user, body="Je me suis trompé")
    page = client_request.get("proposals.detail", proposal_id=proposal.id)
    assert ("Supprimer mon commentaire", f"/proposals/comments/{comment.id}/delete") in page.links("main")
    page = client_request.get("proposals.delete_comment", comment_id=comment.id)
    assert page.text("blockquote") == "Je me suis trompé"
    assert page.has(f'form[method="post"][action="/proposals/comments/{comment.id}/delete"] button')
    db.session.refresh(comment)
    assert not comment.is_deleted  # looking at the page deleted nothing


def test_cannot_delete_someone_elses_comment(client, login_as):
    login_as()
    comment = make_comment(make_proposal())
    assert client.post_form(f"/proposals/comments/{comment.id}/delete").status_code == 403
    db.session.refresh(comment)
    assert not comment.is_deleted
    assert client.post_form("/proposals/comments/999999/delete").status_code == 404


def test_anonymous_sees_comments_but_no_form(client, ctx):
    proposal = make_proposal()
    make_comment(proposal, body="Visible de tous")
    page = Page(client.get(f"/proposals/{proposal.id}"))
    assert page.texts(COMMENT_BODIES) == ["Visible de tous"] and not page.has('[name="body"]')


def test_an_author_deletes_their_comment_whatever_became_of_the_proposal(client, ctx):
    """Sent back to its author for a change, the proposal is no longer shown; its commenters can still
    delete what they wrote."""
    author = make_user()
    proposal = make_proposal(state=ProposalState.CHANGES_REQUESTED)
    comment = make_comment(proposal, author=author)
    login(client, author)
    assert client.post_form(f"/proposals/comments/{comment.id}/delete").status_code == 302
    db.session.refresh(comment)
    assert comment.is_deleted
