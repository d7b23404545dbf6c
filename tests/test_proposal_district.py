"""A proposal may say which district it concerns: offered while the collectivité has districts, checked, shown on
its page, published in the open data."""
import pytest

from civic.extensions import db
from civic.opendata import datasets
from civic.proposals.models import Proposal
from tests.factories import make_district, make_proposal, make_theme


def _data(theme, **changes):
    return {"title": "Un abri vélo", "body": "Devant l’école.", "theme": str(theme.id), "place": "", **changes}


def test_without_districts_the_form_does_not_ask(client_request, login_as):
    login_as()
    make_theme()
    page = client_request.get("proposals.new")
    assert not page.has("#district")


def test_a_proposal_concerns_a_district_or_the_whole_commune(client_request, login_as):
    login_as()
    theme, north = make_theme(), make_district("Nord")
    page = client_request.get("proposals.new")
    assert page.texts("#district option") == ["Toute la commune", "Nord"]
    client_request.post("proposals.new", _data=_data(theme, district=str(north.id)))
    client_request.post("proposals.new", _data=_data(theme, title="Un banc", district=""))
    by_title = {p.title: p for p in db.session.execute(db.select(Proposal)).scalars()}
    assert by_title["Un abri vélo"].district_id == north.id and by_title["Un banc"].district_id is None
    page = client_request.get("proposals.detail", proposal_id=by_title["Un abri vélo"].id)
    assert "Nord" in page.texts(".proposal .summary dd")


@pytest.mark.parametrize("district", ["999999", "abc"])
def test_a_district_that_does_not_exist_is_refused_and_the_text_kept(client_request, login_as, district):
    login_as()
    theme = make_theme()
    make_district("Nord")
    page = client_request.post("proposals.new", _data=_data(theme, district=district), _expected_status=200)
    assert page.field_error("district") == "Choisissez un quartier dans la liste."
    assert page.value("title") == "Un abri vélo"
    assert db.session.execute(db.select(db.func.count(Proposal.id))).scalar_one() == 0


def test_the_author_changes_the_district_while_the_proposal_is_editable(client_request, login_as):
    author = login_as()
    theme, north, south = make_theme(), make_district("Nord"), make_district("Sud")
    proposal = make_proposal(author=author, theme=theme)
    proposal.district_id = north.id
    db.session.commit()
    page = client_request.get("proposals.edit", proposal_id=proposal.id)
    assert page.select_one("#district option[selected]")["value"] == str(north.id)
    client_request.post("proposals.edit", proposal_id=proposal.id,
                        _data={"title": proposal.title, "body": proposal.body, "theme": str(theme.id),
                               "district": str(south.id)})
    assert db.session.get(Proposal, proposal.id).district_id == south.id


def test_the_open_data_names_the_district(ctx):
    north = make_district("Nord")
    proposal = make_proposal()
    proposal.district_id = north.id
    db.session.commit()
    rows = list(datasets.rows(datasets.get("proposals")))
    assert [row["district_id"] for row in rows] == [north.id]
