"""Comments with one level of replies; deletion by their author."""
from civic.extensions import db
from civic.proposals.models import Comment
from tests.factories import make_comment, make_proposal


def test_comment_and_reply(client, login_as):
    user = login_as()
    proposal = make_proposal()
    response = client.post_form(f"/proposals/{proposal.id}/comments", {"body": "Très bonne idée"})
    assert response.status_code == 302
    comment = db.session.execute(db.select(Comment)).scalar_one()
    assert response.location.endswith(f"#comment-{comment.id}")
    assert comment.author_id == user.id and comment.parent_id is None

    page = client.get(f"/proposals/{proposal.id}/comments/{comment.id}/reply")
    assert page.status_code == 200 and "Très bonne idée" in page.get_data(as_text=True)
    client.post_form(f"/proposals/{proposal.id}/comments", {"body": "Merci", "parent_id": str(comment.id)})
    reply = db.session.execute(db.select(Comment).filter_by(body="Merci")).scalar_one()
    assert reply.parent_id == comment.id

    # Replying to a reply stays one level deep.
    client.post_form(f"/proposals/{proposal.id}/comments", {"body": "Et moi", "parent_id": str(reply.id)})
    assert db.session.execute(db.select(Comment).filter_by(body="Et moi")).scalar_one().parent_id == comment.id

    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert html.index("Très bonne idée") < html.index("Merci") < html.index("Et moi")
    assert "3 commentaires" in html


def test_empty_or_too_long_comment_keeps_the_text(client, login_as):
    login_as()
    proposal = make_proposal()
    html = client.post_form(f"/proposals/{proposal.id}/comments", {"body": "  "}).get_data(as_text=True)
    assert "<title>Erreur : " in html and 'href="#body"' in html
    long_text = "a" * 3001
    html = client.post_form(f"/proposals/{proposal.id}/comments", {"body": long_text}).get_data(as_text=True)
    assert "<title>Erreur : " in html and long_text in html
    assert db.session.execute(db.select(db.func.count(Comment.id))).scalar_one() == 0


def test_reply_errors_stay_on_the_reply_page(client, login_as):
    login_as()
    proposal = make_proposal()
    parent = make_comment(proposal, body="Le parent")
    html = client.post_form(f"/proposals/{proposal.id}/comments", {"body": "", "parent_id": str(parent.id)}).get_data(
        as_text=True)
    assert "<title>Erreur : " in html and "Le parent" in html
    assert f'value="{parent.id}"' in html


def test_reply_to_a_comment_of_another_proposal_is_refused(client, login_as):
    login_as()
    proposal, other = make_proposal(), make_proposal()
    foreign = make_comment(other)
    html = client.post_form(f"/proposals/{proposal.id}/comments", {"body": "x", "parent_id": str(foreign.id)}
                            ).get_data(as_text=True)
    assert "<title>Erreur : " in html
    assert client.get(f"/proposals/{proposal.id}/comments/{foreign.id}/reply").status_code == 404


def test_author_deletes_own_comment_and_replies_stay(client, login_as):
    user = login_as()
    proposal = make_proposal()
    comment = make_comment(proposal, author=user, body="Je me suis trompé")
    make_comment(proposal, body="Une réponse", parent=comment)
    assert client.post_form(f"/proposals/comments/{comment.id}/delete").status_code == 302
    db.session.refresh(comment)
    assert comment.is_deleted
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Je me suis trompé" not in html and "Une réponse" in html
    # Deleting twice is refused, not an error page.
    assert client.post_form(f"/proposals/comments/{comment.id}/delete").status_code == 403


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
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Visible de tous" in html and 'name="body"' not in html
