"""NUL characters: removed from submitted forms, refused in addresses, on both databases."""
from civic.extensions import db
from civic.proposals.models import Proposal
from tests.client import Page
from tests.factories import make_theme
from tests.test_proposals import _proposal_data


def test_a_nul_in_an_address_is_a_clear_refusal(client):
    for url in ("/follow-up?code=%00", "/proposals/?q=ab%00c", "/unsubscribe/ab%00cd"):
        response = client.get(url)
        assert response.status_code == 400, url
        message = Page(response).text("main h1 + p")
        assert "Cette adresse contient un caractère qui n’est pas accepté" in message, url


def test_a_nul_pasted_into_a_form_is_removed_and_the_text_saved(client, login_as):
    login_as()
    data = _proposal_data(make_theme(), title="Un banc\x00 place du Marché", body="Pour se reposer\x00.")
    response = client.post_form("/proposals/new", data)
    assert response.status_code == 302
    proposal = db.session.execute(db.select(Proposal)).scalar_one()
    assert (proposal.title, proposal.body) == ("Un banc place du Marché", "Pour se reposer.")
