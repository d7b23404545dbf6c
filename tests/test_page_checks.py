"""The checks every page of the tests passes (tests/pages.py) read a page as html.parser's HTMLParser reads it: what
hides a tag from it (a comment, a script's text, a quoted ">") hides it from them, and what it reads they read."""
from html.parser import HTMLParser

from tests.pages import check_page, error_page_problems, parse_page


class _Reference(HTMLParser):
    """Every start tag with its attributes, and the title's text, as HTMLParser hands them over."""

    def __init__(self):
        super().__init__()
        self.tags, self.title, self._in_title = [], "", False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = self._in_title or tag == "title"

    def handle_endtag(self, tag):
        self._in_title = self._in_title and tag != "title"

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def _page(body, title="Propositions &amp; avis", lang="fr"):
    footer = "".join(f'<a href="{path}">x</a>' for path in
                     ("/legal-notice", "/personal-data", "/accessibility", "/sitemap", "/counters"))
    return (f'<!DOCTYPE html><html lang="{lang}"><head><title>{title}</title></head><body>'
            f'<header class="site-header"></header>{body}<footer class="site-footer">{footer}</footer></body></html>')


TRICKY = _page(
    '<!-- <h1 id="a">commented out</h1> --><h1 ID="top" data-x=\'a>b\'>Titre</h1>'
    '<script id="data">if (a < b) { document.write("<h1 id=\\"x\\">") }</script>'
    '<style>p > a { color: red }</style>'
    '<svg aria-labelledby="icon"><title id="icon">Icône</title></svg>'
    '<label for=name>Nom</label><input id=name name=name>'
    '<input type="hidden" name="csrf"><input type=checkbox id="c" aria-label="Choisir">'
    '<a href="#top">haut</a><a href="#">#</a><a href="/x" aria-describedby="top  help">x</a><p id=help>Aide</p>'
    '<textarea id="t" aria-labelledby="top"></textarea><br/><img alt="a &gt; b" id="img">')


def test_a_page_is_read_as_html_parser_reads_it():
    reference = _Reference()
    reference.feed(TRICKY)
    page = parse_page(TRICKY)
    assert page.title == reference.title == "Propositions & avisIcône"
    assert page.h1 == sum(tag == "h1" for tag, _ in reference.tags) == 1
    assert page.lang == "fr"
    assert dict(page.ids) == {attrs["id"]: 1 for _, attrs in reference.tags if "id" in attrs}
    assert page.label_for == {"name"}
    assert page.fields == [attrs for tag, attrs in reference.tags if tag in ("input", "textarea")
                           and attrs.get("type") != "hidden"]
    assert [ref for _, ref in page.references] == ["icon", "name", "top", "top", "help", "top"]
    assert check_page(TRICKY) == []


def test_each_rule_of_a_page_is_checked():
    missing = ["'b' in <label for='b'>", "'nowhere' in <a href=\"#nowhere\">"]
    assert check_page(_page('<h1 id="a">Un</h1><h1 id="a">Deux</h1><label for="b">B</label><input id="c">'
                            '<a href="#nowhere">x</a>', title=" ", lang="de")) == [
        "2 <h1> elements (one expected)", "empty <title>", "<html lang='de'>", "duplicate ids: ['a']",
        f"references to ids not on the page: {missing}",
        "field without label: {'id': 'c'}"]
    # A tag a comment or a script holds is not on the page.
    assert check_page(_page('<h1>Un</h1><!-- <input id="x"> --><script>"<input id=y>"</script>')) == []


def test_an_error_page_says_its_code_in_either_language():
    assert error_page_problems("/x", 404, "<p>Code d’erreur\u202f: 404</p>") == []
    assert error_page_problems("/x", 404, "<p>Error code: 404</p>") == []
    assert error_page_problems("/x", 403, "<p>Error code: 404</p>") == ["HTTP 403, but the page says Error code: 404"]
    assert error_page_problems("/x", 404, "<p>Introuvable</p>") == ["HTTP 404, but the page says no error code"]
