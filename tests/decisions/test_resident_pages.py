"""What residents read on a decision: the action under the question, why a district vote refuses them and
what to do, the budget's per-voter limit, checking their ballot by its verification code once published."""
import json
import re
from datetime import timedelta

import pytest

from civic.accounts.models import District, Role, User
from civic.db_types import utcnow
from civic.decisions import services
from civic.decisions.files import BALLOTS_CSV, DATAPACKAGE
from civic.decisions.models import Method
from civic.extensions import db
from tests.decisions.helpers import close, make_decision, published_text
from tests.client import Page
from tests.factories import PASSWORD, make_user
from tests.test_rate_limits import limits  # noqa: F401 - the fixture

BUDGET = {"budget": 150_000, "voter_cost_limit": 100_000}
COSTS = [60_000, 50_000, 30_000]


def _district(name="Centre"):
    district = District(name=name)
    db.session.add(district)
    db.session.commit()
    return district


def test_the_vote_button_comes_right_under_the_question(client_request, login_as):
    login_as()
    decision = make_decision()
    page = client_request.get("decisions.detail", decision_id=decision.id)
    main = str(page.select_one("main"))
    assert main.index(decision.question) < main.index(">Voter<") < main.index("<details")
    assert page.text("details summary") == "Comment les voix sont comptées" and page.select("details p")


def test_logging_in_to_vote_returns_to_the_ballot(client, client_request, ctx):
    decision = make_decision()
    page = client_request.get("decisions.detail", decision_id=decision.id)
    link = dict(page.links("main"))["Se connecter pour voter"]
    assert link == f"/login?next=/decisions/{decision.id}/vote"
    user = make_user()
    response = client.post_form(link, {"email": user.email, "password": PASSWORD})
    assert response.location == f"/decisions/{decision.id}/vote"
    assert client_request.get("decisions.vote", decision_id=decision.id).has('input[name="option"]')


LATER = ("Un quartier indiqué maintenant vaut pour les votes de quartier qui ouvriront plus tard, pas pour "
         "celui-ci : ainsi, personne ne peut passer d’un quartier à l’autre pour voter plusieurs fois.")


@pytest.mark.parametrize("standing, message, rule, link", [
    ("not_set", "Ce vote est réservé aux habitants de : Centre. Votre profil n’indique pas votre quartier : vous ne "
                "pouvez donc pas participer à ce vote.",
     LATER, "Indiquer votre quartier pour les votes à venir"),
    ("elsewhere", "Ce vote est réservé aux habitants de : Centre. Votre profil indique que vous habitez Gare : vous "
                  "ne pouvez donc pas participer à ce vote.",
     LATER, "Changer de quartier pour les votes à venir"),
    ("too_late", "Ce vote est réservé aux habitants de : Centre. Vous avez indiqué ce quartier dans votre profil "
                 "après l’ouverture du vote : vous ne pouvez donc pas participer à ce vote.",
     "Un quartier ne vaut que pour les votes qui ouvrent après qu’il a été indiqué : ainsi, personne ne peut passer "
     "d’un quartier à l’autre pour voter plusieurs fois. Le vôtre vaut pour les prochains votes de ce quartier.",
     None),
])
def test_a_district_vote_says_why_it_refuses_and_what_to_do(client_request, login_as, standing, message, rule, link):
    centre, gare = _district("Centre"), _district("Gare")
    decision = make_decision(districts=[centre])
    user = login_as()
    if standing != "not_set":
        user.district_id = (gare if standing == "elsewhere" else centre).id
        user.district_since = utcnow()  # after the vote opened
        db.session.commit()
    page = client_request.get("decisions.detail", decision_id=decision.id)
    box = page.texts(".support-box p")
    # The refusal says this vote cannot be joined; the next paragraph says the rule once, the link (if any)
    # being for the votes that open later.
    assert box[0] == message and "Vous ne pouvez pas participer à ce vote." not in box
    assert box[1].removesuffix(link or "").strip() == rule
    assert sum("après qu’il a été indiqué" in p or "plus tard" in p for p in box) == 1
    links = dict(page.links(".support-box"))
    assert (links.get(link) == "/account") if link else links == {}
    # Going to the ballot anyway leads back to the decision, which says it once: no notice repeating the page.
    page = client_request.get("decisions.vote", decision_id=decision.id, _expected_status=302, _follow=True)
    assert page.texts(".support-box p")[0] == message and page.texts(".notices .notice") == []


def test_a_district_stated_before_the_vote_opened_lets_one_vote(client_request, login_as):
    centre = _district()
    decision = make_decision(districts=[centre])
    user = login_as()
    user.district_id, user.district_since = centre.id, decision.opens_at - timedelta(days=1)
    db.session.commit()
    page = client_request.get("decisions.detail", decision_id=decision.id)
    assert ("Voter", f"/decisions/{decision.id}/vote") in page.links(".support-box")


def test_registration_asks_for_the_district_only_while_district_votes_exist(client_request, outbox):
    assert not client_request.get("accounts.register").has('[name="district"]')
    centre = _district()
    make_decision(state="scheduled", districts=[centre])
    page = client_request.get("accounts.register")
    assert [o.get_text() for o in page.select('select[name="district"] option')] == ["Non précisé", "Centre"]
    client_request.post("accounts.register", _data={
        "display_name": "Nouvelle", "email": "nouvelle@example.org", "password": "une phrase assez longue",
        "password_confirm": "une phrase assez longue", "district": str(centre.id)})
    user = db.session.execute(db.select(User).filter_by(display_name="Nouvelle")).scalar_one()
    assert user.district_id == centre.id and user.district_since is not None


def test_the_budget_ballot_names_the_limit_per_voter(client_request, login_as):
    login_as()
    decision = make_decision(Method.BUDGET, costs=COSTS, **BUDGET)
    page = client_request.get("decisions.vote", decision_id=decision.id)
    hint = page.text("#options-hint").replace("\u202f", " ").replace("\xa0", " ")
    assert "Le budget total est de 150 000 €. Chaque votant peut choisir des projets coûtant jusqu’à 100 000 € " \
           "au total." in hint
    ids = [str(o.id) for o in decision.options]
    page = client_request.post("decisions.vote", decision_id=decision.id, _data={"options": ids[:2]},
                               _expected_status=200)
    assert page.field_error("options").replace("\u202f", " ").replace("\xa0", " ") == (
        "Les projets choisis coûtent 110 000 € au total, plus que 100 000 €, le plafond par votant. "
        "Décochez-en quelques-uns.")
    page = client_request.post("decisions.vote", decision_id=decision.id, _data={"options": [ids[0], ids[2]]},
                               _expected_status=200)
    box = [t.replace("\u202f", " ").replace("\xa0", " ") for t in page.texts(".support-box li, .support-box p")]
    assert box == ["Parc — 60 000 €", "Médiathèque — 30 000 €",
                   "Total des projets choisis : 90 000 €. Le plafond par votant est de 100 000 €."]


def _published(method=Method.SINGLE_CHOICE, contents=(), **fields):
    decision = make_decision(method, **fields)
    ids = [o.id for o in decision.options]
    codes = [services.cast_ballot(make_user(), decision, content(ids)) for content in contents]
    db.session.commit()
    close(decision)
    services.publish_results(decision, make_user(role=Role.ELECTED))
    db.session.commit()
    return decision, codes


def test_unfunded_projects_say_so(client_request):
    decision, _codes = _published(Method.BUDGET, [lambda ids: {"options": [ids[0]]}], costs=COSTS, **BUDGET)
    page = client_request.get("decisions.results", decision_id=decision.id)
    assert [r.select("td")[-1].get_text() for r in page.select("tbody tr")] == ["Financé", "Non financé",
                                                                                 "Non financé"]


@pytest.mark.parametrize("method, contents, rows", [
    (Method.SINGLE_CHOICE, [lambda ids: {"option": ids[1]}],
     {"fr": [["Voix", "Résultat"], ["0", "—"], ["1", "Gagnant"], ["0", "—"]],
      "en": [["Votes", "Outcome"], ["0", "—"], ["1", "Winner"], ["0", "—"]]}),
    (Method.BUDGET, [lambda ids: {"options": [ids[0]]}],
     {"fr": [["Voix", "Coût", "Résultat"], ["1", "60 000 €", "Financé"], ["0", "50 000 €", "Non financé"],
             ["0", "30 000 €", "Non financé"]],
      "en": [["Votes", "Cost", "Outcome"], ["1", "60,000 €", "Funded"], ["0", "50,000 €", "Not funded"],
             ["0", "30,000 €", "Not funded"]]}),
])
def test_the_results_table_names_its_columns_and_outcomes_in_the_readers_language(client, ctx, method, contents, rows):
    """The table's column names and outcomes, read once per page, label every row's cells (data-label: the
    table is stacked on a phone) in the reader's language."""
    fields = {"costs": COSTS, **BUDGET} if method is Method.BUDGET else {}
    decision, _codes = _published(method, contents, **fields)
    for lang, expected in rows.items():
        page = Page(client.get(f"/decisions/{decision.id}/results", headers={"Accept-Language": lang}))
        body = page.select("table.stack tbody tr")
        assert [[td["data-label"] for td in body[0].select("td")]] + [
            [td.get_text().replace("\u202f", " ").replace("\xa0", " ") for td in row.select("td")] for row in body
        ] == expected, lang


def test_a_resident_checks_their_ballot_by_its_code(client_request, limits):  # noqa: F811
    limits(SECRET_LIMIT_PER_IP="3 per minute")
    decision, codes = _published(Method.APPROVAL, [lambda ids: {"options": [ids[0], ids[2]]},
                                                   lambda ids: {"options": []}])
    page = client_request.get("decisions.results", decision_id=decision.id)
    assert ("Vérifier mon bulletin", f"/decisions/{decision.id}/results/ballot") in page.links("main")
    page = client_request.get("decisions.check_ballot", decision_id=decision.id)
    form = page.select_one(f'form[action="/decisions/{decision.id}/results/ballot"]')
    # Posted: a code in the address would stay in the browser's history, and with the ballots file tell the vote.
    assert form["method"] == "post" and page.text('label[for="code"]') == "Code de vérification du bulletin"
    typed = " " + " - ".join((codes[0][:5].lower(), codes[0][5:])) + " "  # typed as read aloud
    page = client_request.post("decisions.check_ballot", decision_id=decision.id, _data={"code": typed},
                               _expected_status=200)
    assert page.texts(".support-box li") == ["Parc", "Médiathèque"]
    # Named as the ballots file writes it, not as typed: the resident finds that line.
    assert page.text(".support-box h2") == f"Bulletin {codes[0]}" and page.value("code") == codes[0]
    assert f"\n{codes[0]}," in published_text(decision, BALLOTS_CSV)
    page = client_request.post("decisions.check_ballot", decision_id=decision.id, _data={"code": codes[1]},
                               _expected_status=200)
    assert page.text(".support-box strong") == "Vote blanc"
    unknown = client_request.post("decisions.check_ballot", decision_id=decision.id, _data={"code": "ZZZZZZZZZZ"},
                                  _expected_status=200)
    assert unknown.select_one(".support-box h2") is not None and unknown.texts(".support-box li") == []
    assert unknown.text(".support-box p").startswith("Aucun bulletin de ce vote ne porte ce code.")
    client_request.post("decisions.check_ballot", decision_id=decision.id, _data={"code": codes[0]},
                        _expected_status=429)
    # A code in the address is not looked up.
    page = client_request.get("decisions.check_ballot", decision_id=decision.id, code=codes[0])
    assert not page.has(".support-box")


def test_ballots_are_not_checked_before_publication(client_request, login_as):
    login_as(Role.ELECTED)
    decision = make_decision(Method.YES_NO)
    services.cast_ballot(make_user(), decision, {"vote": "yes"})
    db.session.commit()
    close(decision)
    page = client_request.get("decisions.results", decision_id=decision.id)  # the official's preview
    assert not page.has(f'form[action="/decisions/{decision.id}/results/ballot"]')
    page = client_request.post("decisions.check_ballot", decision_id=decision.id, _data={"code": "ABCDEFGHJK"},
                               _expected_status=404)
    assert page.h1 == f"Résultats pas encore publiés : {decision.title}" and not page.has("main form")


def test_the_ballots_file_keeps_option_numbers_and_the_data_package_names_them(ctx):
    decision, _codes = _published(contents=[lambda ids: {"option": ids[1]}])
    ids = [o.id for o in decision.options]
    package = json.loads(published_text(decision, DATAPACKAGE))
    fields = package["resources"][0]["schema"]["fields"]
    assert [f["name"] for f in fields] == ["tracking_code", *(f"choice_{i}" for i in ids), "blank"]
    assert [f.get("title") for f in fields] == [None, "Parc", "Piscine", "Médiathèque", None]


def test_the_confirmation_names_the_vote_and_the_code_by_its_purpose(client, client_request, login_as):
    login_as()
    decision = make_decision(Method.YES_NO)
    client.post_form(f"/decisions/{decision.id}/vote/confirm", {"vote": "yes"})
    page = client_request.get("decisions.voted", decision_id=decision.id)
    assert page.text(".lead") == decision.title
    assert "Code de vérification de votre bulletin :" in page.texts("main p")
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{10}", page.text(".tracking-code"))


def test_the_follow_up_page_recognises_a_ballot_code(client_request):
    page = client_request.get("counters.follow_up", code="ABCDE-FGHJK")
    assert page.text("#ballot-code-title") == "C’est un code de vérification de bulletin"
    assert not page.has(".error-summary") and ("Les votes et leurs résultats", "/decisions/") in page.links("main")
    page = client_request.get("counters.follow_up", code="ABCDEFGH")
    assert page.field_error("code") == "Aucune contribution n’a ce code. Vérifiez le code sur votre reçu."
