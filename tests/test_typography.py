"""French typography through one helper (civic.typography): the catalog's strings typeset once when loaded (pages,
flash messages, mails), numbers, amounts, percentages and dates formatted for the reader's language."""
import re
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from flask import render_template_string

from civic.accounts.models import Role
from civic.counters.models import Channel
from civic.decisions import services
from civic.decisions.models import Method
from civic.extensions import db
from civic.typography import amount, long_date, long_datetime, number, percent, typeset
from tests.client import Page
from tests.decisions.helpers import close, make_decision
from tests.factories import login, make_user

NNBSP = "\u202f"
FRENCH_CATALOG = Path(__file__).resolve().parents[1] / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


@pytest.mark.parametrize("text, expected", [
    ("Erreur : ", f"Erreur{NNBSP}: "),
    ("Pas à l’aise en ligne ? Venez !", f"Pas à l’aise en ligne{NNBSP}? Venez{NNBSP}!"),
    ("Attention! Vraiment?", f"Attention{NNBSP}! Vraiment{NNBSP}?"),
    ("« Un banc »", f"«{NNBSP}Un banc{NNBSP}»"),
    ("L'avis d'un modérateur", "L’avis d’un modérateur"),
    ("«Un banc»", f"«{NNBSP}Un banc{NNBSP}»"),
    ("%(spent)s € sur %(budget)s €", f"%(spent)s{NNBSP}€ sur %(budget)s{NNBSP}€"),
    ("%(n)s %% des votants", f"%(n)s{NNBSP}%% des votants"),
    # A format's placeholder after a space is not a percent sign; a URL's query keeps its "?".
    ("Résultats : %(title)s", f"Résultats{NNBSP}: %(title)s"),
    ("https://example.org/?q=1 à 14:30", "https://example.org/?q=1 à 14:30"),
])
def test_french_gets_a_narrow_no_break_space_where_its_typography_wants_one(text, expected):
    assert typeset(text, "fr") == expected
    assert typeset(expected, "fr") == expected  # typesetting twice changes nothing
    assert typeset(text, "en") == text


def test_numbers_amounts_and_percentages_never_break():
    assert number(30000, "fr") == f"30{NNBSP}000" and number(30000, "en") == "30,000"
    assert amount(30000, "fr") == f"30{NNBSP}000{NNBSP}€" and amount(30000, "en") == "30,000\u00a0€"
    assert percent(0.769, "fr") == f"76,9{NNBSP}%" and percent(0.769, "en") == "76.9%"
    assert percent(0.5, "fr") == f"50{NNBSP}%"


def test_dates_have_one_format_per_language_and_the_french_first_of_the_month():
    assert long_date(date(2026, 3, 1), "fr") == "1er mars 2026"
    assert long_date(date(2026, 3, 2), "fr") == "2 mars 2026"
    assert long_date(date(2026, 3, 1), "en") == "1 March 2026"
    paris = datetime(2026, 2, 28, 23, 30, tzinfo=timezone.utc)  # already 1 March in Paris
    assert long_datetime(paris, "fr", ZoneInfo("Europe/Paris")) == "1er mars 2026, 00:30"
    assert long_datetime(paris, "en", ZoneInfo("Europe/Paris")) == "1 March 2026, 00:30"


@pytest.mark.database_independent  # a template rendered in a request's context
def test_the_date_of_a_moment_is_its_day_where_the_reader_is(app):
    """|date of a moment stored in UTC shows its day in Paris, as |datetime does: 22:30 UTC on 31 March is 1 April."""
    late = datetime(2026, 3, 31, 22, 30, tzinfo=timezone.utc)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        shown = render_template_string("{{ moment|date }} / {{ moment|datetime }} / {{ day|date }}", moment=late,
                                       day=date(2026, 3, 31))
    assert shown == "1er avril 2026 / 1er avril 2026, 00:30 / 31 mars 2026"


def test_pages_show_the_catalog_typeset(client):
    response = client.post_form("/login", {"email": "", "password": ""})
    html = response.get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert title.startswith(f"Erreur{NNBSP}: ")
    client.set_cookie("civic_lang", "en", domain="civic.test")
    html = client.post_form("/login", {"email": "", "password": ""}).get_data(as_text=True)
    assert re.search(r"<title>(.*?)</title>", html).group(1).startswith("Error: ")


def test_results_show_unbreakable_percentages_amounts_and_counts(client, ctx):
    decision = make_decision(Method.BUDGET, costs=[40_000, 50_000, 30_000], budget=100_000)
    first, second, _third = decision.options
    for content in [{"options": [first.id]}] * 3 + [{"options": [second.id]}]:
        services.cast_ballot(make_user(), decision, content, Channel.ONLINE)
    db.session.commit()
    close(decision)
    login(client, make_user(role=Role.ELECTED))
    page = Page(client.get(f"/decisions/{decision.id}/results"))
    # The raw text, not the test client's, which reads every kind of space as one.
    cells = [cell.get_text() for cell in page.select('td[data-label="Coût"]')]
    assert cells == [f"40{NNBSP}000{NNBSP}€", f"50{NNBSP}000{NNBSP}€", f"30{NNBSP}000{NNBSP}€"]
    spent = page.select_one("main p:-soup-contains('dépensés')").get_text()
    assert f"90{NNBSP}000{NNBSP}€" in spent and f"100{NNBSP}000{NNBSP}€" in spent


@pytest.mark.database_independent  # a template rendered in a request's context
def test_counts_in_sentences_are_grouped_in_the_readers_language(app):
    template = "{{ ngettext('%(num)s ballot', '%(num)s ballots', 12000) }}"
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert render_template_string(template) == f"12{NNBSP}000 bulletins"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string(template) == "12,000 ballots"


def test_mails_are_typeset(client, ctx, outbox):
    client.post_form("/register", {"display_name": "Camille", "email": "camille@example.org",
                                   "password": "correct horse battery", "password_confirm": "correct horse battery"})
    body = outbox[0]["body"]
    assert f"ouvrez ce lien{NNBSP}:" in body


def test_the_french_catalog_has_one_kind_of_apostrophe_and_no_space_before_its_signs():
    with FRENCH_CATALOG.open("rb") as po:
        catalog = read_po(po)
    straight = [m.id for m in catalog if m.id and any("'" in s for s in _strings(m))]
    assert not straight, f"straight apostrophes in {straight[:10]}"


def _strings(message):
    return message.string if isinstance(message.string, (list, tuple)) else [message.string]
