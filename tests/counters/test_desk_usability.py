"""What agents ran into at the desk (issue 12): a refused search invites nothing, dates and counters are
named, the duplicate warning keeps what was asked, the header tells whose session it is."""
from datetime import date, timedelta

from civic.counters import residents
from civic.counters.models import AssistedSession
from civic.extensions import db
from tests.client import Page
from tests.factories import make_user
from tests.counters.helpers import make_counter, open_session

NO_COUNTER = "Choisissez le guichet où vous travaillez aujourd’hui."
NO_SUCH_DATE = "Cette date n’existe pas : vérifiez le jour et le mois."  # as the page reads


def test_a_refused_search_shows_only_its_error(client, agent, counter):
    for query in ("name=martin", "name=martin&birth_date=31/02/1948"):
        page = Page(client.get(f"/desk?{query}"))
        assert page.errors, query
        assert page.select("main a[href$='/desk/residents/new']") == [], query
        assert "trouvé" not in page.text("main") and "Personne" not in page.text("main"), query
    # A search that ran and found nobody may lead to registering.
    page = Page(client.get("/desk?name=martin&birth_date=17/05/1950"))
    assert not page.errors and page.select("main a[href$='/desk/residents/new']")


def test_a_date_that_does_not_exist_is_named_so(client, agent, counter):
    assert Page(client.get("/desk?name=martin&birth_date=31/02/1948")).field_error("birth_date") == NO_SUCH_DATE
    assert Page(client.get("/desk?name=martin&birth_date=29/02/1949")).field_error("birth_date") == NO_SUCH_DATE
    assert "31/12/1960" in Page(client.get("/desk?name=martin&birth_date=février+48")).field_error("birth_date")
    page = Page(client.post_form("/desk/residents/new", {"full_name": "Léon Blum", "birth_date": "30/02/1940",
                                                         "identity_check": "document", "consent": "y"}))
    assert page.field_error("birth_date") == NO_SUCH_DATE and page.value("birth_date") == "30/02/1940"


def test_no_counter_chosen_is_asked_for_not_called_unassigned(client, agent):
    make_counter(agent), make_counter(agent)  # two counters: none is chosen for the agent
    client.post_form("/desk/counter", {"counter": ""})
    assert Page(client.get("/desk")).notices == [NO_COUNTER]
    page = Page(client.post_form("/desk/residents/new", {"full_name": "Léon Blum", "birth_date": "01/01/1940",
                                                         "identity_check": "document", "consent": "y"}))
    assert NO_COUNTER in page.text(".error-summary")
    assert db.session.execute(db.select(AssistedSession)).scalar() is None


def test_choosing_a_counter_says_it_once(client, agent):
    chosen = make_counter(agent, name="Médiathèque")
    make_counter(agent)
    client.post_form("/desk/counter", {"counter": str(chosen.id)})
    page = Page(client.get("/desk"))
    assert page.text("main").count("Médiathèque") == 1 + page.text("main select").count("Médiathèque")
    assert page.notices == []


def test_the_duplicate_warning_keeps_identity_and_consent(client, agent, counter):
    residents.register_resident(agent, counter, full_name="Josiane Perrin", birth_date=date(1948, 3, 12))
    db.session.commit()
    page = Page(client.post_form("/desk/residents/new", {
        "full_name": "Josiane Perrin", "birth_date": "12/03/1948", "identity_check": "personally_known",
        "consent": "y"}))
    [listed] = page.select("form.open-session")
    assert [i["value"] for i in listed.select("input[name=identity_check][checked]")] == ["personally_known"]
    assert listed.select("input[name=consent][checked]")
    # And the register form itself still holds them.
    register = page.select("main form")[-1]
    assert register.select("input[name=identity_check][value=personally_known][checked]")
    assert register.select("input[name=consent][checked]")


def test_the_consent_box_is_a_large_target_with_its_label(client, agent, counter):
    page = Page(client.get("/desk/residents/new"))
    [box] = page.select(".consent-box input[type=checkbox][name=consent]")
    assert page.select(f".consent-box label[for={box['id']}]")


def test_during_a_session_the_header_offers_no_account_of_the_agent(client, agent, counter):
    assert Page(client.get("/desk")).select("header a[href$='/account']")
    open_session(client, make_user())
    page = Page(client.get("/proposals/"))
    assert page.select(".assist-banner") and page.select("header a[href$='/account']") == []


def test_a_session_ended_while_idle_is_told_once(client, agent, counter, app):
    open_session(client, make_user())
    current = db.session.execute(db.select(AssistedSession)).scalar_one()
    current.last_activity_at -= timedelta(minutes=app.config["ASSISTED_SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    response = client.get("/desk/session")  # the banner's link, on a page left open
    assert Page(client.get(response.location)).notices == [
        "La session accompagnée a pris fin après 15 minutes sans activité. Vous êtes revenu sur votre propre compte."]
    response = client.get("/desk/session")
    assert Page(client.get(response.location)).notices == ["Aucune session accompagnée n’est ouverte."]
