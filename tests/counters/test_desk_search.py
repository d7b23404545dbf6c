"""The least data at the desk: a search lists only residents it names precisely, and never an address it was not given.

Also the LIKE wildcards of the other searches ("%" and "_" typed in a search box are plain characters).
"""
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from civic.accounts.models import District, Role, User
from civic.admin.services import list_users
from civic.counters import residents as services
from civic.extensions import db
from civic.counters.models import AssistedSession
from tests.client import Page
from tests.factories import login, make_proposal, make_user
from tests.counters.helpers import listed, ticket, tickets

BORN = date(1950, 5, 17)
IMPRECISE = "Indiquez le nom et la date de naissance, ou l’adresse e-mail, ou le numéro de téléphone."
ONLINE_EMAIL = "Camille.Roux@example.org"
ONLINE_PHONE = "06 11 22 33 44"


class _Page(HTMLParser):
    """What a page shows: the resident cards (name and text), the fields' error messages and the links' texts."""

    def __init__(self, html):
        super().__init__()
        self.cards, self.errors, self.links = [], [], []
        self._card = self._in_name = self._error = self._link = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "section" and "resident-card" in classes:
            self._card = {"name": "", "text": "", "online_note": False}
            self.cards.append(self._card)
        elif tag == "h3" and self._card is not None:
            self._in_name = True
        elif tag == "p" and "online-account" in classes and self._card is not None:
            self._card["online_note"] = True
        elif tag == "p" and "error-message" in classes:
            self._error = []
        elif tag == "a":
            self._link = [dict(attrs).get("href") or "", ""]

    def handle_endtag(self, tag):
        if tag == "section":
            self._card = None
        elif tag == "h3":
            self._in_name = False
        elif tag == "p" and self._error is not None:
            self.errors.append("".join(self._error).replace("\u202f", " ").strip())
            self._error = None
        elif tag == "a" and self._link is not None:
            self.links.append(tuple(self._link))
            self._link = None

    def handle_data(self, data):
        if self._card is not None:
            self._card["text"] += data
            if self._in_name:
                self._card["name"] += data.strip()
        if self._error is not None:
            self._error.append(data)
        if self._link is not None:
            self._link[1] += data


@pytest.fixture
def online(ctx):
    """An account created online, with no birth date, that also left a phone number."""
    user = make_user(email=ONLINE_EMAIL, name="Camille Roux")
    user.phone, user.phone_normalized = ONLINE_PHONE, services.normalize_phone(ONLINE_PHONE)
    db.session.commit()
    return user


def _counter_record(full_name, birth_date=BORN, phone=None):
    resident = User(display_name=services.public_name(full_name), full_name=full_name, birth_date=birth_date,
                    phone=phone, phone_normalized=services.normalize_phone(phone) or None, role=Role.RESIDENT)
    db.session.add(resident)
    db.session.commit()
    return resident


def _desk(client, **query):
    html = client.get("/desk?" + urlencode(query)).get_data(as_text=True)
    return html, _Page(html)


def _assert_no_address_of(user, html):
    lowered = html.lower()
    assert user.email_normalized not in lowered and user.email_normalized.split("@")[0] not in lowered
    assert "example.org" not in lowered
    assert user.phone_normalized not in html and user.phone not in html


# --- What counts as a name --------------------------------------------------------------------

@pytest.mark.parametrize("name", ["%", "_", "*", "a", "%%", "a%", "_a", "j m", " % _ * ", "'", "-", "1950"])
def test_wildcards_and_single_letters_are_no_name(client, agent, counter, online, name):
    _counter_record("Anne Arnaud")
    html, page = _desk(client, name=name, birth_date="17/05/1950")
    assert page.cards == []
    assert page.errors == [f"Erreur : {IMPRECISE}"]
    assert "trouvé" not in html  # no "0 habitant trouvé" either: the search was not run
    assert "Anne Arnaud" not in html and "Camille Roux" not in html
    _assert_no_address_of(online, html)
    assert not services.search_is_precise(name=name, birth_date=BORN)
    assert services.find_residents(name=name, birth_date=BORN) == []


def test_name_words_are_letters_and_two_of_them_at_least():
    assert services.name_words("  Jean-Pierre LE   Gall ") == ["jean", "pierre", "le", "gall"]
    assert services.name_words("J. d’Arc-Éloïse") == ["arc", "eloise"]
    assert services.name_words("%ma_r* 1950") == ["ma"]
    assert services.name_words("a b c % _ *") == []
    assert len(services.name_words("aa bb cc dd ee ff gg hh")) == services.NAME_WORDS_LIMIT


def test_a_name_matches_the_beginning_of_words_not_any_substring(ctx):
    martin = _counter_record("Jeanne Martin")
    omar = _counter_record("Omar Dupont")
    gall = _counter_record("Jean-Pierre Le Gall")
    arc = _counter_record("Louise d'Arc")
    other_day = _counter_record("Marc Martin", birth_date=date(1951, 1, 1))

    def found(name, birth_date=BORN):
        return {r.id for r in services.find_residents(name=name, birth_date=birth_date)}

    assert found("mar") == {martin.id}  # not Omar, and not Marc Martin, born another day
    assert found("mar", date(1951, 1, 1)) == {other_day.id}
    assert found("MARTIN jeanne") == {martin.id}
    assert found("artin") == found("ean") == found("upon") == set()
    assert found("pierre") == found("jean pierre gall") == found("le gall") == {gall.id}
    assert found("jean") == {martin.id, gall.id}
    assert found("arc") == found("d'arc") == found("d’Arc") == {arc.id}
    assert found("jeanne %") == found("j. martin") == {martin.id}  # what is no word narrows nothing
    assert found("mar%tin") == set()  # "tin" begins no word of Martin
    assert found("ma_tin") == set()


# --- Online accounts: never an address the agent was not given ----------------------------------

def test_an_online_account_found_by_its_name_shows_no_address(client, agent, counter, online):
    html, page = _desk(client, name="camille roux", birth_date="02/02/1960")
    assert [card["name"] for card in page.cards] == ["Camille Roux"]
    assert page.cards[0]["online_note"] and "Compte créé en ligne" in page.cards[0]["text"]
    _assert_no_address_of(online, html)
    # The birth date does not narrow online accounts (they have none): whole words only, so that two
    # letters and any date do not list every account whose name starts with them.
    html, page = _desk(client, name="cam", birth_date="02/02/1960")
    assert page.cards == []
    html, page = _desk(client, name="roux", birth_date="02/02/1960")
    assert [card["name"] for card in page.cards] == ["Camille Roux"]
    _assert_no_address_of(online, html)


def test_an_online_account_with_a_birth_date_still_shows_no_address(client, agent, counter, online):
    """An account that attached counter contributions got the record's birth date: it is still an online account."""
    online.birth_date = BORN
    db.session.commit()
    html, page = _desk(client, name="roux", birth_date="17/05/1950")
    assert [card["name"] for card in page.cards] == ["Camille Roux"] and page.cards[0]["online_note"]
    _assert_no_address_of(online, html)


def test_a_search_by_phone_does_not_show_the_email(client, agent, counter, online):
    html, page = _desk(client, contact="+33 6 11 22 33 44")
    assert [card["name"] for card in page.cards] == ["Camille Roux"]
    assert online.email_normalized not in html.lower() and "example.org" not in html.lower()


def test_registering_shows_the_online_account_of_that_name_without_its_address(client, agent, counter, online):
    form = {"full_name": "Camille Roux", "birth_date": "02/02/1960", "identity_check": "document", "consent": "y"}
    response = client.post_form("/desk/residents/new", form)
    page, html = Page(response), response.get_data(as_text=True)
    assert page.has('input[name="confirm_new"]')
    assert page.has('section[aria-labelledby="duplicates-title"] p.online-account')
    assert listed(client, page) == [online.id]  # the agent can still open a session for it
    _assert_no_address_of(online, html)


def test_a_search_by_the_exact_email_finds_the_account_and_shows_that_address(client, agent, counter, online):
    html, page = _desk(client, contact="  camille.ROUX@example.org ")
    assert [card["name"] for card in page.cards] == ["Camille Roux"]
    assert ONLINE_EMAIL in page.cards[0]["text"] and not page.cards[0]["online_note"]
    assert online.phone not in html and online.phone_normalized not in html
    for partial in ("camille.roux@example", "camille.roux@", "@example.org", "%@%", "_%@example.org"):
        html, page = _desk(client, contact=partial)
        assert page.cards == [] and "Personne ne correspond" in html, partial
        assert ONLINE_EMAIL.lower() not in html.lower(), partial


def test_the_error_of_a_loose_search_is_on_the_field_to_fill_in(client_request, agent, counter):
    page = client_request.get("counters.desk", name="Perrin")
    assert page.field_error("name") is None
    assert page.field_error("birth_date") == ("Indiquez la date de naissance avec le nom, ou cherchez par adresse "
                                              "e-mail ou numéro de téléphone.")
    page = client_request.get("counters.desk", birth_date="12/03/1948")
    assert page.field_error("birth_date") is None
    assert page.field_error("name") == ("Indiquez le nom avec la date de naissance, ou cherchez par adresse "
                                        "e-mail ou numéro de téléphone.")
    page = client_request.get("counters.desk", contact="06 12")
    assert page.field_error("name") is None and page.field_error("contact") == IMPRECISE


# --- Phones -------------------------------------------------------------------------------------

def test_a_phone_matches_only_whole(client, agent, counter):
    resident = _counter_record("Paulette Girard", phone="06 12 34 56 78")
    for whole in ("0612345678", "06.12.34.56.78", "+33 6 12 34 56 78"):
        _html, page = _desk(client, contact=whole)
        assert [card["name"] for card in page.cards] == ["Paulette Girard"], whole
    for partial in ("06 12 34", "612345678", "12345678", "0", "%", "*"):
        html, page = _desk(client, contact=partial)
        assert page.cards == [] and page.errors == [f"Erreur : {IMPRECISE}"], partial
        assert "Paulette Girard" not in html
        assert services.find_residents(phone=partial) == []
    # A name with its birth date and a partial phone: the phone given must match too.
    assert services.find_residents(name="girard", birth_date=BORN, phone="0612") == []
    assert services.find_residents(name="girard", birth_date=BORN) == [resident]


# --- LIKE wildcards in the other searches -------------------------------------------------------

def _proposal_titles(client, q):
    page = _Page(client.get("/proposals/?" + urlencode({"q": q})).get_data(as_text=True))
    return sorted(text.strip() for href, text in page.links if href.startswith("/proposals/") and href[11:].isdigit())


def test_proposal_search_takes_wildcards_literally(client, ctx):
    make_proposal(title="Réduire de 50% les déchets", body="Au marché.")
    make_proposal(title="Le fichier plan_velo", body="À publier.")
    make_proposal(title="Des bancs", body="Place du marché.")
    make_proposal(title="Un chemin", body="De C:\\ à D:\\, en ligne.")
    assert _proposal_titles(client, "%") == ["Réduire de 50% les déchets"]
    assert _proposal_titles(client, "_") == ["Le fichier plan_velo"]
    assert _proposal_titles(client, "\\") == ["Un chemin"]
    assert _proposal_titles(client, "50%") == ["Réduire de 50% les déchets"]
    assert _proposal_titles(client, "r_d") == _proposal_titles(client, "50_") == _proposal_titles(client, "%%") == []
    assert _proposal_titles(client, "marche") == ["Des bancs", "Réduire de 50% les déchets"]


def test_user_search_of_the_admins_takes_wildcards_literally(ctx):
    underscore = make_user(email="jean_dupont@example.org", name="Jean D.")
    make_user(email="jeanxdupont@example.org", name="Jean X.")
    make_user(email="plain@example.org", name="Ana 100%")

    def emails(query):
        return sorted(user.email for user in list_users(query).items)

    assert emails("_") == emails("n_d") == [underscore.email]
    assert emails("%") == ["plain@example.org"]
    assert emails("\\") == []


def test_a_particle_and_any_birth_date_list_no_online_account(client, agent, counter):
    """An online account has no birth date to narrow the search: "de" would list every Dupont de la Tour."""
    make_user(email="dupont@example.org", name="Marie de la Tour")
    html, page = _desk(client, name="de", birth_date="02/02/1960")
    assert page.cards == []
    html, page = _desk(client, name="de tour", birth_date="02/02/1960")
    assert [card["name"] for card in page.cards] == ["Marie de la Tour"]


# --- Opening a session: only for a resident the desk listed --------------------------------------

def _sessions():
    return db.session.execute(db.select(db.func.count(AssistedSession.id))).scalar_one()


@pytest.mark.parametrize("sent", ["number", "another agent's ticket", "expired ticket", "forged ticket"])
def test_a_session_opens_only_for_a_resident_the_desk_listed(app, client, agent, counter, monkeypatch, sent):
    """Walking the numbers of /desk/sessions would list every resident's civil name: the form carries a
    ticket that the desk signed for this agent when it listed the resident, valid for an hour."""
    record = _counter_record("Josiane Perrin")
    if sent == "number":
        value = str(record.id)
    elif sent == "another agent's ticket":
        colleague = app.test_client()
        login(colleague, make_user(role=Role.COUNTER_AGENT))
        value = ticket(colleague, record)
    elif sent == "expired ticket":
        value = ticket(client, record)
        monkeypatch.setitem(app.config, "DESK_TICKET_MAX_AGE", -1)
    else:
        value = ticket(client, record)[:-3] + "abc"
    response = client.post_form("/desk/sessions", {"resident": value, "identity_check": "document"})
    assert response.status_code == 302 and response.location == "/desk"
    response = client.get("/desk")
    page = response.get_data(as_text=True)
    assert "Josiane" not in page and "Perrin" not in page
    assert any(notice.startswith("Recherchez de nouveau l’habitant") for notice in Page(response).notices)
    assert _sessions() == 0


def test_the_ticket_of_a_listed_resident_opens_the_session(client, agent, counter):
    record = _counter_record("Josiane Perrin")
    response = client.get("/desk?" + urlencode({"name": "perrin", "birth_date": "17/05/1950"}))
    page = _Page(response.get_data(as_text=True))
    assert [card["name"] for card in page.cards] == ["Josiane Perrin"]
    [value] = tickets(Page(response))
    refused = client.post_form("/desk/sessions", {"resident": value, "identity_check": "document"})
    assert refused.status_code == 200  # consent missing
    assert "Josiane Perrin" in Page(refused).text("form.open-session button") and Page(refused).field_error("consent")
    opened = client.post_form("/desk/sessions", {"resident": value, "identity_check": "document", "consent": "y"})
    assert opened.status_code == 302
    assert db.session.execute(db.select(AssistedSession.resident_id)).scalar_one() == record.id


def test_an_online_account_found_by_name_shows_no_district(client, agent, counter, online):
    """Found without any birth date to narrow the search, an online account tells no more than its name."""
    district = District(name="Les Tilleuls")
    db.session.add(district)
    db.session.flush()
    online.district_id = district.id
    db.session.commit()
    html, page = _desk(client, name="camille roux", birth_date="02/02/1960")
    assert [card["name"] for card in page.cards] == ["Camille Roux"] and "Les Tilleuls" not in html
    html, page = _desk(client, contact=ONLINE_EMAIL)
    assert "Les Tilleuls" in page.cards[0]["text"]
