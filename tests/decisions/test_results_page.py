"""What the results, ballot and decision form pages say, and to whom: legend, honest messages, ids tied together."""
import json

import pytest
from sqlalchemy import update

from civic import templating
from civic.accounts.models import District, Role
from civic.decisions import services
from civic.counters.models import Channel
from civic.decisions.files import RESULTS_JSON, stored
from civic.decisions.models import BudgetRule, Method, PublishedChunk
from civic.extensions import db
from civic.voting.explain import explanation
from civic.voting.majority_judgment import GRADES, LABELS_EN, LABELS_FR
from tests.client import Page
from tests.factories import login, make_user
from tests.decisions.helpers import close, make_decision, published_results
from tests.decisions.test_management import _form
from tests.pages import check_page

EN = {"Accept-Language": "en"}
GRADE_NAMES = ("Reject", "Insufficient", "Passable", "Fair", "Good", "Very good", "Excellent")
HIDDEN = "shown only when each group has at least 10 voters"


def _cast(decision, contents, channel=Channel.ONLINE):
    for content in contents:
        services.cast_ballot(make_user(), decision, content, channel)
    db.session.commit()


def _preview(client, decision):
    """The results page an official reviews before publishing (counted from the ballots)."""
    login(client, make_user(role=Role.ELECTED))
    response = client.get(f"/decisions/{decision.id}/results", headers=EN)
    assert response.status_code == 200
    return Page(response)


def _publish(client, decision):
    _preview(client, decision)
    assert client.post_form(f"/decisions/{decision.id}/publish").status_code == 302
    db.session.refresh(decision)


def test_majority_judgment_chart_has_a_text_legend_and_labelled_segments(client, ctx):
    decision = make_decision(Method.MAJORITY_JUDGMENT)
    a, b, c = (str(o.id) for o in decision.options)
    _cast(decision, [{"grades": {a: "good", b: "reject", c: "excellent"}}] * 3
          + [{"grades": {a: "fair", b: "reject", c: "insufficient"}}])
    close(decision)
    page = _preview(client, decision)
    figure = page.select_one("figure")
    legend = figure.select_one("ul.legend")
    # Outside the SVG, in reading order, every grade named beside its swatch.
    assert legend.find_parent("svg") is None
    assert [(li.contents[0].name, li.contents[1]) for li in legend.select("li")] == [
        ("svg", name) for name in GRADE_NAMES]
    # The chart is hidden from assistive technology: the table says the same, cell by cell.
    assert figure["aria-hidden"] == "true"
    svg = figure.select_one("svg")
    # Segments carry their share as text (75 % good, 25 % fair; 100 % reject) and a tooltip naming the grade.
    shares = [text.get_text() for text in svg.select("text") if set(text.attrs) == {"x", "y"}]
    assert [s.replace("\xa0", " ") for s in shares] == ["25%", "75%", "100%", "25%", "75%"]
    tooltips = [title.get_text() for title in svg.select("rect > title")]
    assert "Good — 3 (75%)" in tooltips and "Reject — 4 (100%)" in tooltips
    # Grades nobody gave draw nothing.
    assert len(svg.select("rect")) == 5
    # The table keeps every number.
    assert page.has("table") and page.texts('th[scope="col"]').count("Very good") == 1


def test_plain_bar_charts_have_no_grade_legend(client, ctx):
    decision = make_decision(Method.SINGLE_CHOICE)
    _cast(decision, [{"option": decision.options[0].id}])
    close(decision)
    page = _preview(client, decision)
    assert page.has('figure[aria-hidden="true"] svg') and not page.has(".legend")


@pytest.mark.parametrize("rule, reason", [
    ("equal_shares", "under the method of equal shares no project could be paid for from its supporters' shares"),
    ("greedy", "every project that received a vote costs more than the whole budget"),
])
def test_budget_that_funds_nothing_says_votes_were_cast(client, ctx, rule, reason):
    if rule == "equal_shares":
        # Three voters hold 50 € each: neither 80 € project's single supporter can pay for it, and raising the
        # shares until they could funds both at once, 160 € beyond the 150 € budget, so the count keeps nothing.
        decision = make_decision(Method.BUDGET, options=("A", "B"), costs=[80, 80], budget=150,
                                 budget_rule=BudgetRule.EQUAL_SHARES)
    else:
        decision = make_decision(Method.BUDGET, options=("A", "B"), costs=[120, 130], budget=100,
                                 budget_rule=BudgetRule.GREEDY)
    a, b = (o.id for o in decision.options)
    _cast(decision, [{"options": [a]}, {"options": [b]}, {"options": []}])
    close(decision)
    page = _preview(client, decision)
    count = json.loads(services.preview_of(decision).results_json)["count"]
    assert count["winners"] == [] and sum(count["votes"].values()) == 2
    assert any(lead.startswith("No project is funded.") and reason in lead for lead in page.texts("p.lead"))
    assert "no option received a vote" not in page.html


def test_budget_with_blank_ballots_only_says_no_option_received_a_vote(client, ctx):
    decision = make_decision(Method.BUDGET, options=("A", "B"), costs=[60, 50], budget=100,
                             budget_rule=BudgetRule.EQUAL_SHARES)
    _cast(decision, [{"options": []}] * 2)
    close(decision)
    page = _preview(client, decision)
    assert "No winner: no option received a vote." in page.texts("main p") and "No project is funded." not in page.html


def test_turnout_per_channel_hidden_below_ten_in_a_group(client, ctx):
    decision = make_decision(Method.YES_NO)
    _cast(decision, [{"vote": "yes"}] * 12)
    _cast(decision, [{"vote": "no"}] * 9, Channel.COUNTER)
    close(decision)
    page = _preview(client, decision)
    assert any(HIDDEN in text for text in page.texts("p.meta")) and "at mediation counters" not in page.html


def test_turnout_per_channel_shown_from_ten_in_each_group_and_old_snapshots_still_render(client, ctx):
    decision = make_decision(Method.YES_NO)
    _cast(decision, [{"vote": "yes"}] * 12)
    _cast(decision, [{"vote": "no"}] * 10, Channel.COUNTER)
    close(decision)
    _publish(client, decision)
    page = Page(client.get(f"/decisions/{decision.id}/results", headers=EN))
    assert "12 ballots online, 10 at mediation counters." in page.texts("main p") and HIDDEN not in page.html
    # Results published before the key existed render with the explanation.
    results = published_results(decision)
    del results["by_channel"]
    stored_file = stored(decision.id, RESULTS_JSON)
    db.session.execute(update(PublishedChunk).where(PublishedChunk.file_id == stored_file.id)
                       .values(data=json.dumps(results).encode()))
    db.session.commit()
    page = Page(client.get(f"/decisions/{decision.id}/results", headers=EN))
    assert any(HIDDEN in text for text in page.texts("p.meta")) and "at mediation counters" not in page.html


def test_majority_judgment_fieldsets_are_described_by_the_question(client, login_as):
    login_as(Role.RESIDENT)
    decision = make_decision(Method.MAJORITY_JUDGMENT, question="Comment jugez-vous chaque projet ?")
    page = Page(client.get(f"/decisions/{decision.id}/vote"))
    assert page.text("h2#question") == "Comment jugez-vous chaque projet ?"
    fieldsets = page.select("form fieldset")
    assert len(fieldsets) == len(decision.options)
    assert [fieldset["aria-describedby"] for fieldset in fieldsets] == ["question"] * len(decision.options)
    # With an error, the fieldset of the option left ungraded is described by the question and its error.
    first, second = decision.options[0], decision.options[1]
    page = Page(client.post_form(f"/decisions/{decision.id}/vote", {f"grade_{first.id}": "good"}))
    first_choice = page.select_one(f"#grade_{second.id}-first")
    assert first_choice.find_parent("fieldset")["aria-describedby"] == f"question grade_{second.id}-error"
    assert page.has(f'.error-summary a[href="#grade_{second.id}-first"]')


def test_districts_refused_by_the_server_show_inline(client, login_as):
    login_as(Role.ELECTED)
    db.session.add(District(name="Nord"))
    db.session.commit()
    page = Page(client.post_form("/decisions/new", _form(districts="987654"), headers=EN))
    assert page.title.startswith(("Erreur : ", "Error: "))
    fieldset = page.select_one('fieldset[aria-describedby="districts-error"]')
    assert fieldset.select_one("p.error-message#districts-error") is not None
    assert "Choose a district from the list." in page.field_error("districts")
    assert page.has('.error-summary a[href="#districts-0"]') and fieldset.select_one("#districts-0") is not None


def test_page_check_finds_dangling_id_references():
    page = ('<html lang="fr"><title>t</title><h1>h</h1><a href="#main">skip</a><a href="#">top</a>'
            '<main id="main"><label for="f">L</label><input id="f" aria-describedby="f-hint f-error">'
            '<p id="f-hint">hint</p><svg aria-labelledby="nope"></svg><label for="gone">x</label></main>')
    problems = check_page(page)
    assert len(problems) == 1
    assert all(ref in problems[0] for ref in ("'f-error'", "'nope'", "'gone'")) and "'main'" not in problems[0]
    assert "'f-hint'" not in problems[0].replace("'f-hint f-error'", "")


@pytest.mark.parametrize("rule, named, other", [
    (BudgetRule.EQUAL_SHARES, "La règle de ce vote : la méthode des parts égales.", "règle gloutonne"),
    (BudgetRule.GREEDY, "La règle de ce vote : la règle gloutonne.", "parts égales"),
])
def test_a_budget_count_says_which_rule_it_used(client, ctx, rule, named, other):
    decision = make_decision(Method.BUDGET, options=("A", "B"), costs=[60, 50], budget=100, budget_rule=rule)
    _cast(decision, [{"options": [decision.options[0].id]}])
    close(decision)
    _preview(client, decision)
    page = Page(client.get(f"/decisions/{decision.id}/results"))
    explained = page.text("main").split("Comment les voix ont été comptées", 1)[1]
    # The rule used is named; the other one is never offered as an alternative ("soit... soit...").
    assert named in page.texts("main p") and "soit" not in explained and other not in explained


@pytest.mark.parametrize("state, when", [
    ("scheduled", "Le vote ouvre le"),
    ("open", "Le vote est ouvert jusqu’au"),
    ("closed", "Le vote a été clos le"),
])
@pytest.mark.parametrize("endpoint", ["decisions.results", "decisions.check_ballot"])
def test_results_not_published_yet_say_so_and_lead_back_to_the_vote(client_request, login_as, state, when,
                                                                    endpoint):
    login_as()
    decision = make_decision(Method.YES_NO, state=state)
    page = client_request.get(endpoint, decision_id=decision.id, _expected_status=404)
    assert page.h1 == f"Résultats pas encore publiés : {decision.title}"
    said = page.texts("main .narrow > p")
    assert said[0].startswith(when) and said[-1] == "Code d’erreur : 404"
    assert ("Retour au vote", f"/decisions/{decision.id}") in page.links("main")


def test_the_results_of_a_draft_stay_a_plain_404(client_request, login_as):
    login_as()
    decision = make_decision(Method.YES_NO, state="draft")
    page = client_request.get("decisions.results", decision_id=decision.id, _expected_status=404)
    assert page.h1 == "Page introuvable"


def _explained(client, decision, lang):
    """The paragraphs under "How the votes were counted" of a published decision's results page, in ``lang``."""
    page = Page(client.get(f"/decisions/{decision.id}/results", headers={"Accept-Language": lang}))
    heading = next(h for h in page.select("h2") if h.get_text() in ("How the votes were counted",
                                                                    "Comment les voix ont été comptées"))
    paragraphs = []
    for sibling in heading.find_next_siblings():
        if sibling.name == "h2":
            break
        paragraphs.append(sibling.get_text(" ", strip=True))
    return paragraphs


@pytest.mark.parametrize("method, rule", [
    (Method.YES_NO, None), (Method.SINGLE_CHOICE, None), (Method.APPROVAL, None),
    (Method.MAJORITY_JUDGMENT, None), (Method.BUDGET, BudgetRule.GREEDY), (Method.BUDGET, BudgetRule.EQUAL_SHARES)])
def test_the_results_page_states_the_tie_break_of_its_own_method_and_rule_once(client, ctx, method, rule):
    """The tie-break is said once, the method's and rule's own, in the words the published files use (in
    English) or their French: a single-choice vote once said it twice, the second time naming majority judgment;
    a budget by equal shares named the greedy rule's."""
    decision = make_decision(method, **({"budget_rule": rule} if rule else {}))
    first = decision.options[0].id if decision.options else None
    _cast(decision, [{"vote": "yes"} if method is Method.YES_NO else {"option": first} if method is Method.SINGLE_CHOICE
                     else {"grades": {str(o.id): "good" for o in decision.options}}
                     if method is Method.MAJORITY_JUDGMENT else {"options": [first]}])
    close(decision)
    _publish(client, decision)
    files_say = published_results(decision)["tie_break"]
    for lang, prefix in (("en", "Ties: "), ("fr", "Égalités\u202f: ")):
        paragraphs = _explained(client, decision, lang)
        (tie_paragraph,) = [p for p in paragraphs if p.startswith(prefix)]
        if lang == "en":
            assert tie_paragraph == f"Ties: {files_say}."
        # Nothing else says how ties are broken, nor names another method's rule.
        rest = " ".join(p for p in paragraphs if p != tie_paragraph).lower()
        for words in ("order in which", "ordre dans lequel", "ordre où", "cheaper", "moins cher", "points",
                      "égalité", "as many votes", "price per euro", "prix par euro"):
            assert words not in rest, (words, rest)
        if method is not Method.MAJORITY_JUDGMENT:
            assert "majority judgment" not in rest + tie_paragraph.lower()
            assert "jugement majoritaire" not in rest + tie_paragraph.lower()
    if method is Method.MAJORITY_JUDGMENT:
        assert "majority grade" in files_say
    elif method is Method.BUDGET:
        assert ("price per euro" in files_say) is (rule is BudgetRule.EQUAL_SHARES) and "points" not in files_say


@pytest.mark.parametrize("method", [Method.SINGLE_CHOICE, Method.APPROVAL, Method.MAJORITY_JUDGMENT])
def test_several_winners_with_a_tie_for_the_last_place_are_named_with_how_the_tie_was_broken(client, ctx, method):
    decision = make_decision(method, number_of_winners=2, options=("Parc", "Piscine", "Médiathèque", "Stade"))
    park, pool, library, stadium = (o.id for o in decision.options)
    # The park first; the pool, the library and the stadium tie for the second place: the pool, listed first, wins.
    if method is Method.MAJORITY_JUDGMENT:
        def grades(park_grade):
            return {"grades": {str(park): park_grade, str(pool): "fair", str(library): "fair", str(stadium): "fair"}}
        ballots = [grades("excellent"), grades("very_good")]
    elif method is Method.SINGLE_CHOICE:
        ballots = [{"option": o} for o in (park, park, pool, library, stadium)]
    else:
        ballots = [{"options": [park, pool]}, {"options": [park, library]}, {"options": [park, stadium]}]
    _cast(decision, ballots)
    close(decision)
    _publish(client, decision)
    count = published_results(decision)["count"]
    assert count["winners"] == [park, pool] and count["tie"] == [pool, library, stadium]
    same = "exactly the same grades" if method is Method.MAJORITY_JUDGMENT else "as many votes"
    meme = ("ont reçu exactement les mêmes mentions" if method is Method.MAJORITY_JUDGMENT
            else "ont obtenu autant de voix")
    for lang, winners, tie in (
            ("en", "Winners: Parc, Piscine",
             f"Tie: Piscine, Médiathèque, Stade had {same}. As announced before the "
             "vote, the order in which the options were listed decided: Piscine wins."),
            ("fr", "Gagnants\u202f: Parc, Piscine",
             f"Égalité\u202f: Piscine, Médiathèque, Stade {meme}. Comme "
             "annoncé avant le vote, l’ordre dans lequel les options ont été présentées a décidé\u202f: Piscine "
             "l’emporte.")):
        page = Page(client.get(f"/decisions/{decision.id}/results", headers={"Accept-Language": lang}))
        texts = [p.get_text(" ", strip=True) for p in page.select("p")]
        assert winners in texts and tie in texts, texts


def test_the_counting_modules_words_are_typeset_once_per_language(app, monkeypatch):
    """The explanation of a method and the grades' names are constants of the counting modules: a results page
    shows them typeset for its reader's language, typeset once per language rather than at each render."""
    typeset = []
    real = templating.typography.typeset
    monkeypatch.setattr(templating.typography, "typeset", lambda text, lang: typeset.append(lang) or real(text, lang))
    templating._typeset_explanation.cache_clear()
    templating._typeset_grade.cache_clear()
    for lang in ("fr", "fr", "en", "en"):
        with app.test_request_context("/", headers={"Accept-Language": lang}):
            paragraphs = templating._explanation("majority_judgment")
            grade = templating._grade_label(GRADES[0])
        assert list(paragraphs) == [real(text, lang) for text in explanation("majority_judgment", None, lang)]
        assert grade == real((LABELS_FR if lang == "fr" else LABELS_EN)[GRADES[0]], lang)
    assert typeset == ["fr"] * (len(paragraphs) + 1) + ["en"] * (len(paragraphs) + 1)
