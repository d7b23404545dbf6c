from civic.navigation import safe_next
from civic.text import normalize_for_search, paragraphs, search_terms


def test_paragraphs_lines_and_links():
    text = "Un\r\ndeux\n\n\n  trois https://example.org/x). fin"
    assert paragraphs(text) == [
        [[("text", "Un")], [("text", "deux")]],
        [[("text", "  trois "), ("link", "https://example.org/x"), ("text", "). fin")]],
    ]
    assert paragraphs("") == []
    assert paragraphs("javascript:alert(1)") == [[[("text", "javascript:alert(1)")]]]


def test_search_normalisation():
    assert normalize_for_search("  École  ÉTÉ  Œuvre ") == "ecole ete œuvre"
    assert search_terms("a b c d e f g h i j") == list("abcdefgh")


def test_safe_next():
    assert safe_next("/proposals/?q=1") == "/proposals/?q=1"
    for bad in ("https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", "", None):
        assert safe_next(bad, "/") == "/"
