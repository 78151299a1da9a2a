"""The theme file the CX team edits: matching, and clear errors for a broken file."""
import pytest

from cxdata import themes
from cxdata.sentiment import fold


def test_the_shipped_rules_find_the_themes_in_three_languages():
    rules = themes.load_rules(themes.DEFAULT_FILE)
    assert rules.themes_of(fold("Pésima experiencia con la FACTURACIÓN")) == ["billing"]
    assert rules.themes_of(fold("Problemas demais com a cobrança")) == ["billing"]
    assert "billing" in rules.themes_of(fold("I was charged twice on my invoice"))
    assert rules.themes_of(fold("La entrega llegó tarde")) == ["delivery"]
    assert rules.themes_of(fold("nothing to see")) == []


def test_whole_words_only_and_a_star_matches_any_ending(tmp_path):
    path = tmp_path / "themes.toml"
    path.write_text('[billing]\nlabel = "Billing"\nphrases = ["bill", "factur*", "credit card"]\n', encoding="utf-8")
    rules = themes.load_rules(path)
    assert rules.themes_of(fold("my bill")) == ["billing"]
    assert rules.themes_of(fold("billion things")) == []
    assert rules.themes_of(fold("la facturación")) == ["billing"]
    assert rules.themes_of(fold("my credit  card")) == ["billing"]


@pytest.mark.parametrize("content, says", [
    ('[billing\nlabel = "Billing"', "is not valid TOML"),
    ("", "defines no theme"),
    ('[billing]\nlabel = "Billing"\nphrases = []\n', "line 1, theme [billing]: needs phrases"),
    ('[billing]\nlabel = "Billing"\nphrases = ["invoice", ""]\n', "phrase 2 ('') is empty"),
    ('[billing]\nlabel = "Billing"\nphrases = ["*"]\n', "is empty or has no letter"),
    ('[billing]\nphrases = ["invoice"]\n', "needs a label"),
    ('[billing]\nlabel = "Billing"\nphrases = [3]\n', "phrase 1 is 3, not text in quotes"),
    ('[Billing-Dept]\nlabel = "Billing"\nphrases = ["x"]\n', "the key must be lower case"),
    ('[billing]\nlabel = "Billing"\nphrase = ["invoice"]\n', "unknown setting(s) phrase"),
    ('[billing]\nlabel = "Billing"\nphrases = ["in*voice"]\n', "* may only end a phrase"),
])
def test_a_broken_theme_file_gets_a_clear_error(tmp_path, content, says):
    path = tmp_path / "themes.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(themes.ThemeFileError) as caught:
        themes.load_rules(path)
    assert says in str(caught.value) and str(path) in str(caught.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(themes.ThemeFileError, match="cannot read the theme file"):
        themes.load_rules(tmp_path / "nope.toml")
