"""Playbook loading and validation: every error names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from responder.advice.playbook import (
    PlaybookError,
    Signals,
    default_playbook_text,
    load_playbook,
    parse_playbook,
    uncovered,
    unreachable,
)
from responder.advice.playbook_check import check_playbook
from responder.errors import InputError

MINIMAL = """\
version: "1"
name: Klein draaiboek
organisation:
  brand: Testbedrijf
  opening_hours: {monday: "09:00-17:00", tuesday: gesloten}
  default_channel: x
  channels:
    x:
      name: X
      max_chars: 280
      private: {u: Stuur ons een DM., je: Stuur ons een DM.}
teams:
  webcare: {name: Webcare, speaks_for_organisation: true}
priorities:
  P1: {name: Direct, deadline_minutes: 60, clock: always}
  P2: {name: Hoog, deadline_minutes: 120}
  P3: {name: Normaal, deadline_minutes: 240}
  P4: {name: Laag, deadline_minutes: 480}
fallback_subjects:
  delivery: {u: uw bestelling, je: je bestelling}
  product: {u: het product, je: het product}
  service: {u: onze service, je: onze service}
  billing: {u: de betaling, je: de betaling}
  outage: {u: de storing, je: de storing}
  account_privacy: {u: uw account, je: je account}
  policy: {u: ons beleid, je: ons beleid}
  general: {u: onze dienstverlening, je: onze dienstverlening}
situations:
  - id: klacht
    title: Klacht
    when: {intents: [complaint]}
    priority: P3
    route: webcare
    tone: Begripvol.
    steps:
      - {do: Erken het probleem., why: De klant wil gehoord worden.}
    replies:
      - strategy: acknowledge_to_private
        serves: 1
        why: Erkent.
        text: {u: "Vervelend dat het misgaat met {onderwerp}. {prive}", je: "Vervelend dat het misgaat met {onderwerp}. {prive}"}
      - strategy: thank
        serves: 1
        why: Bedankt.
        text: {u: Dank u voor uw reactie., je: Dank je voor je reactie.}
      - strategy: ask_clarification
        serves: 1
        why: Vraagt door.
        text: {u: "Wat is er precies gebeurd?", je: "Wat is er precies gebeurd?"}
"""


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _problems(text: str) -> list[str]:
    with pytest.raises(PlaybookError) as info:
        parse_playbook(text, "test.yaml")
    return info.value.problems


def test_the_default_playbook_loads_and_covers_everything() -> None:
    pb = load_playbook()
    assert pb.version and pb.organisation.default_register == "u"
    assert uncovered(pb) == []
    assert unreachable(pb) == []
    report = check_playbook(pb)
    assert report.problems == [] and report.warnings == []


def test_minimal_playbook_is_valid_but_has_gaps() -> None:
    pb = parse_playbook(MINIMAL)
    gaps = uncovered(pb)
    assert Signals("other") in gaps
    assert any(g.intent == "praise" for g in gaps)
    assert not any(g.intent == "complaint" for g in gaps)
    report = check_playbook(pb)
    assert any("andere taal" in p for p in report.problems)
    assert any("intent=praise" in p for p in report.problems)


def test_broken_yaml_names_the_line() -> None:
    text = MINIMAL.replace("  brand: Testbedrijf", "  brand: [Testbedrijf")
    (problem,) = _problems(text)
    assert problem.startswith("test.yaml:") and "geen geldige YAML" in problem


def test_unknown_label_names_line_and_field() -> None:
    text = MINIMAL.replace("intents: [complaint]", "intents: [klacht]")
    (problem,) = _problems(text)
    line = _line_of(text, "intents: [klacht]")
    assert problem.startswith(f"test.yaml:{line}: situations.0.when.intents:")
    assert "'klacht'" in problem and "complaint" in problem


def test_je_template_without_u_twin() -> None:
    text = MINIMAL.replace(
        "text: {u: Dank u voor uw reactie., je: Dank je voor je reactie.}",
        "text: {je: Dank je voor je reactie.}",
    )
    (problem,) = _problems(text)
    assert f"test.yaml:{_line_of(text, '{je: Dank je')}:" in problem
    assert "situations.0.replies.1.text" in problem and "'u'-tegenhanger" in problem


def test_too_few_reply_strategies() -> None:
    start = MINIMAL.index("      - strategy: ask_clarification")
    text = MINIMAL[:start]
    (problem,) = _problems(text)
    assert "situations.0" in problem and "minstens drie" in problem


def test_several_problems_are_listed_together() -> None:
    text = (
        MINIMAL.replace("priority: P3", "priority: P9")
        .replace("tone: Begripvol.", "toon: Begripvol.")
        .replace("max_chars: 280", "max_chars: veel")
    )
    problems = _problems(text)
    fields = " ".join(problems)
    assert "situations.0.priority" in fields and "P9" in fields
    assert "situations.0.toon: onbekend veld" in fields
    assert "situations.0.tone: verplicht veld ontbreekt" in fields
    assert "organisation.channels.x.max_chars: verkeerd type" in fields
    assert len(problems) == 4


def test_references_and_placeholders_are_checked() -> None:
    text = MINIMAL.replace("route: webcare", "route: juristen").replace(
        '"Wat is er precies gebeurd?", je:', '"Wat is er gebeurd, {naam}?", je:'
    )
    problems = _problems(text)
    assert any(
        p.startswith(f"test.yaml:{_line_of(text, 'route: juristen')}:") and "juristen" in p
        for p in problems
    )
    assert any("{naam}" in p and "replies[2].text.u" in p for p in problems)


def test_duplicate_keys_are_refused() -> None:
    text = MINIMAL.replace("  brand: Testbedrijf\n", "  brand: Testbedrijf\n  brand: Ander\n")
    (problem,) = _problems(text)
    assert f"test.yaml:{_line_of(text, 'brand: Ander')}:" in problem and "twee keer" in problem


def test_bad_opening_hours_and_timezone() -> None:
    text = MINIMAL.replace('monday: "09:00-17:00"', 'maandag: "9-17"').replace(
        "  brand: Testbedrijf\n", "  brand: Testbedrijf\n  timezone: Europe/Amstelveen\n"
    )
    problems = " ".join(_problems(text))
    assert "maandag" in problems and "Europe/Amstelveen" in problems


def test_files_missing_or_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="niet gevonden"):
        load_playbook(tmp_path / "geen.yaml")
    bad = tmp_path / "cp1252.yaml"
    bad.write_bytes(MINIMAL.replace("Klein", "Kléin").encode("cp1252"))
    with pytest.raises(PlaybookError, match="geen UTF-8"):
        load_playbook(bad)
    good = tmp_path / "eigen.yaml"
    good.write_text(default_playbook_text(), encoding="utf-8")
    assert load_playbook(good).version == load_playbook().version


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "leeg.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(PlaybookError, match="YAML-mapping"):
        load_playbook(empty)


def test_a_small_bank_and_replies_without_examples_are_warned_about() -> None:
    report = check_playbook(parse_playbook(MINIMAL))
    assert any("'klacht' heeft 3 antwoorden" in w and "minstens 8" in w for w in report.warnings)
    assert any("antwoord(en) 1, 2, 3 zonder voorbeelden" in w for w in report.warnings)
    with_examples = MINIMAL.replace(
        "        why: Bedankt.\n",
        "        why: Bedankt.\n        examples: [Top service, Dank jullie wel]\n",
    )
    report = check_playbook(parse_playbook(with_examples))
    assert any("antwoord(en) 1, 3 zonder voorbeelden" in w for w in report.warnings)


def test_examples_must_not_be_empty_or_repeated() -> None:
    empty = MINIMAL.replace(
        "        why: Bedankt.\n", "        why: Bedankt.\n        examples: ['']\n"
    )
    assert any("een voorbeeld is leeg" in p for p in _problems(empty))
    twice = MINIMAL.replace(
        "        why: Bedankt.\n", "        why: Bedankt.\n        examples: [Top, Top]\n"
    )
    assert any("twee keer" in p for p in _problems(twice))


def test_a_gap_in_a_word_condition_allows_a_few_words_between() -> None:
    from responder.advice.playbook import mentions

    assert mentions("ik werd door de conducteur bedreigd", "werd … bedreigd")
    assert mentions("ik werd bedreigd", "werd … bedreigd")
    assert not mentions("ik werd niet echt heel goed geholpen en toen bedreigd", "werd … bedreigd")
    assert not mentions("ik werdt bedreigd", "werd … bedreigd")
    assert not mentions("ik ben bedreigd", "werd … bedreigd")
