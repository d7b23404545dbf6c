from sqlalchemy import create_engine, literal, select

from civic.navigation import safe_next
from civic.text import LIKE_ESCAPE, like_contains, like_prefix, normalize_for_search, paragraphs, search_terms


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


def test_like_patterns_take_wildcards_literally():
    assert like_contains("50%") == "%50\\%%"
    assert like_prefix("plan_velo") == "plan\\_velo%"
    assert like_contains("C:\\") == "%C:\\\\%"
    assert like_prefix("") == "%" and like_contains("") == "%%"
    engine = create_engine("sqlite://")

    def matches(text_, pattern):
        with engine.connect() as connection:
            return connection.execute(select(literal(text_).like(pattern, escape=LIKE_ESCAPE))).scalar()

    assert matches("réduire de 50% les déchets", like_contains("50%"))
    assert not matches("réduire de 500 les déchets", like_contains("50%"))
    assert not matches("tout", like_contains("%")) and not matches("tout", like_contains("_"))
    assert matches("plan_velo", like_prefix("plan_")) and not matches("planxvelo", like_prefix("plan_"))
    assert not matches("un plan_velo", like_prefix("plan_"))
    assert matches("c:\\ et d:\\", like_contains("\\")) and not matches("c: et d:", like_contains("\\"))
