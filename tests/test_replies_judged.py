"""The judged reply set (tests/cases/replies.yaml) and its checker (responder.advice.reply_check).

These tests validate the set and the checker on hand-made good and bad replies. Whether the
assistant's current replies pass the set is measured by benchmarks/replies.py, not asserted here.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from responder.advice.playbook import Playbook, load_playbook
from responder.advice.reply_check import (
    CHECK_KINDS,
    QUESTION_TOPICS,
    Answer,
    Check,
    JudgedCase,
    asked_for,
    check_suggestion,
    holds,
    judge,
    language_of,
    load_judged,
    problems_with_playbook,
    report_table,
)
from responder.errors import DataError

CASES_PATH = Path(__file__).parent / "cases" / "replies.yaml"
CASES = load_judged(CASES_PATH)


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_playbook()


def case_with(text_start: str) -> JudgedCase:
    found = [c for c in CASES if c.text.startswith(text_start)]
    assert len(found) == 1, text_start
    return found[0]


# -- the set -----------------------------------------------------------------------------------


def test_the_set_is_large_and_distinct() -> None:
    assert len(CASES) >= 120
    assert len({c.text for c in CASES}) == len(CASES), "every comment once"
    assert len({c.id for c in CASES}) == len(CASES)


def test_every_situation_and_channel_exists_in_the_default_playbook(playbook: Playbook) -> None:
    assert problems_with_playbook(CASES, playbook) == []


def test_nearly_every_situation_of_the_playbook_is_judged(playbook: Playbook) -> None:
    per = Counter(c.situation for c in CASES)
    situations = {s.id for s in playbook.situations}
    assert len(set(per) & situations) >= 0.9 * len(situations), situations - set(per)
    dangers = ("gasgevaar", "stroomgevaar", "gevaarlijk_product", "gezondheid", "veiligheid")
    assert sum(per[s] for s in dangers) >= 15, per
    for risky in ("grensoverschrijdend", "juridische_dreiging", "overstapdreiging"):
        assert per[risky] >= 5, risky


def test_every_check_kind_is_used_and_known() -> None:
    used = Counter(check.kind for c in CASES for check in (*c.must, *c.must_not))
    assert set(used) == set(CHECK_KINDS)
    topics = {check.arg[0] for c in CASES for check in c.must if check.kind == "no_question_for"}
    assert {"product", "reference", "when", "amount", "tried", "repeat", "waiting"} <= topics
    assert topics <= set(QUESTION_TOPICS)


def test_the_set_covers_what_matters() -> None:
    def mentions(word: str) -> int:
        return sum(
            any(word in a for check in c.must for a in check.arg if check.kind == "any")
            for c in CASES
        )

    assert mentions("0800-9009") >= 5, "gas and electricity danger"
    assert mentions("112") >= 10, "danger and health"
    assert sum(1 for c in CASES if not c.reply) >= 2, "spam gets no reply"
    languages = Counter(check.arg[0] for c in CASES for check in c.must if check.kind == "language")
    assert languages["en"] >= 3 and languages["fr"] >= 2 and languages["de"] >= 2
    churn_words = [
        c
        for c in CASES
        if c.situation != "overstapdreiging"
        and any("overweegt weg te gaan" in a for check in c.must_not for a in check.arg)
    ]
    assert len(churn_words) >= 2, "anger without a churn threat must not be called churn"
    assert sum(1 for c in CASES if c.channel) >= 15
    assert any(c.private for c in CASES) and any(c.author_name for c in CASES)


def test_a_case_with_a_reply_has_something_it_must_say() -> None:
    assert all(c.must for c in CASES if c.reply)


# -- loading errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("text: x", "lijst"),
        ("- {situation: storing, must: [{any: [a]}]}", "'text'"),
        ("- {text: hoi, must: [{any: [a]}]}", "'situation'"),
        ("- {text: hoi, situation: storing, must: [{anything: [a]}]}", "onbekende controle"),
        ("- {text: hoi, situation: storing, must: [{any: a}]}", "lijst met teksten"),
        ("- {text: hoi, situation: storing, must: [{any: []}]}", "lijst met teksten"),
        ("- {text: hoi, situation: storing, must: [{regex: '(('}]}", "ongeldige regex"),
        ("- {text: hoi, situation: storing, must: [{register: jij}]}", "register"),
        ("- {text: hoi, situation: storing, must: [{language: es}]}", "language"),
        ("- {text: hoi, situation: storing, must: [{no_question_for: naam}]}", "no_question_for"),
        ("- {text: hoi, situation: storing, must: [{any: [a], all: [b]}]}", "één sleutel"),
        ("- {text: hoi, situation: storing, must: [{any: [a]}], colour: red}", "onbekende velden"),
        ("- {text: hoi, situation: storing, must: []}", "minstens één"),
        ("- {text: hoi, situation: storing, private: ja, must: [{any: [a]}]}", "'private'"),
        ("- {text: hoi, situation: storing, must: {any: [a]}}", "lijst met controles"),
        (
            "- {text: hoi, situation: storing, must: [{any: [a]}], must_not: [{no_question_for: when}]}",
            "hoort onder 'must'",
        ),
        ("- [unclosed", "YAML"),
    ],
)
def test_a_malformed_set_is_refused_with_a_clear_message(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(content, "utf-8")
    with pytest.raises(DataError, match=message):
        load_judged(path)


def test_spam_needs_no_checks(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text("- {text: klik hier, situation: spam, reply: false}", "utf-8")
    (case,) = load_judged(path)
    assert case.reply is False and case.must == ()


def test_unknown_situations_and_channels_are_named(playbook: Playbook) -> None:
    case = JudgedCase("001-x", "hoi", "bestaat_niet", (Check("any", ("a",)),), channel="myspace")
    assert problems_with_playbook([case], playbook) == [
        "001-x: unknown situation 'bestaat_niet'",
        "001-x: unknown channel 'myspace'",
    ]


# -- the checker on hand-made replies ----------------------------------------------------------

GOOD_AND_BAD: list[tuple[str, str, list[str]]] = [
    (
        "Ik ruik een sterke gaslucht",
        "Verlaat direct het huis, zet ramen en deuren open en bel het storingsnummer 0800-9009 "
        "(bij gevaar 112). Gebruik geen lichtknoppen. ^Webcare",
        ["Wat vervelend! Stuur ons gerust een privébericht, dan kijken we met u mee. ^Webcare"],
    ),
    (
        "De powerbank die ik bij jullie kocht",
        "Wat schrikken! Gebruik de powerbank niet meer en laad hem niet op. We hebben je melding "
        "met voorrang doorgezet naar ons veiligheidsteam. ^Webcare",
        [
            "Vervelend! Om welk product gaat het en wanneer heb je het gekocht? ^Webcare",
            "Op onze site lees je hoe garantie werkt. ^Webcare",
        ],
    ),
    (
        "Als mijn pakket morgen niet hier is",
        "Bedreigingen accepteren we niet, ook niet richting onze bezorgers. Wil je het over je "
        "pakket hebben? Stuur ons dan een DM. ^Webcare",
        [
            "We helpen je graag verder. Wil je daarbij wel respectvol blijven? ^Webcare",
            "Dank je voor je bericht. Bedreigingen accepteren we niet. ^Webcare",
        ],
    ),
    (
        "wtf waarom is mn bestelling gecanceld",
        "Balen dat je bestelling is geannuleerd! Stuur ons een DM, dan zoeken we uit waarom. ^AB",
        [
            "Jammer om te lezen dat je overweegt weg te gaan. Stuur ons een DM. ^AB",
            "Vervelend dat het misgaat met uw bestelling. We zoeken het graag voor u uit. ^AB",
        ],
    ),
    (
        "Tot hoe laat zijn jullie zaterdag open?",
        "Op zaterdag zijn we open van 09:00 tot 17:00 uur. Tot dan! ^Webcare",
        [
            "Vervelend dat u het niet kon vinden! Op zaterdag tot 17:00 uur. ^Webcare",
            "Goede vraag! Op onze site vindt u meer over onze dienstverlening. ^Webcare",
        ],
    ),
    (
        "Bestelling 40012345 staat al 9 dagen",
        "Negen dagen is veel te lang. We zoeken je bestelling direct op; je hoort vandaag van "
        "ons. ^Webcare",
        [
            "Wat vervelend. Met uw ordernummer zoeken we het direct op. Wilt u dat privé delen? "
            "^Webcare",
            "Bestelling 40012345 is al 9 dagen onderweg, we zoeken het uit. ^Webcare",
        ],
    ),
    (
        "Ik heb net 50 minuten in de wacht",
        "Vijftig minuten in de wacht en dan afgekapt worden: dat is niet hoe het hoort. We zoeken "
        "uit wat er misging. ^Webcare",
        ["Vervelend om te lezen. Wanneer had u contact met ons? ^Webcare"],
    ),
    (
        "My parcel has been stuck for a week",
        "We're sorry your parcel is taking so long. Please send us a DM with your order number "
        "and we'll look into it right away. ^Webcare",
        [
            "Vervelend dat je pakket zo lang onderweg is. Stuur ons een DM. ^Webcare",
            "Sorry about your parcel. Since when has it been stuck? ^Webcare",
        ],
    ),
    (
        "👍",
        "Dank je wel, fijn om te horen! ^Webcare",
        ["Dank u wel, fijn dat u tevreden bent! ^Webcare", "Vervelend! Wat is er? ^Webcare"],
    ),
    (
        "Bel me terug op 06-12345678",
        "We hebben je reactie verborgen omdat je telefoonnummer erin stond. Stuur ons een DM, "
        "dan bellen we je terug over je pakket. ^Webcare",
        ["We bellen je zo terug op 06-12345678! ^Webcare"],
    ),
]


@pytest.mark.parametrize(
    ("start", "good", "bad"), GOOD_AND_BAD, ids=[g[0][:20] for g in GOOD_AND_BAD]
)
def test_a_good_reply_passes_and_bad_ones_fail(start: str, good: str, bad: list[str]) -> None:
    case = case_with(start)
    assert check_suggestion(case, good) == []
    for reply in bad:
        failed = check_suggestion(case, reply)
        assert failed, reply
        assert all(f.startswith(("must ", "must not ")) for f in failed)


def test_failures_say_what_was_wrong() -> None:
    case = case_with("wtf waarom is mn bestelling gecanceld")
    failed = check_suggestion(case, "Jammer dat u overweegt weg te gaan. ^AB")
    assert failed[0] == (
        "must mention one of 'geannuleerd', 'gecanceld', 'annulering', 'annuleren': none found"
    )
    assert any("use the je-form only: uses 'u'" in f for f in failed)
    assert any(
        f.startswith("must not mention one of") and "'overweegt weg te gaan'" in f for f in failed
    )


def test_no_reply_where_one_was_expected_and_the_other_way_round() -> None:
    spam = next(c for c in CASES if not c.reply)
    assert check_suggestion(spam, None) == []
    assert check_suggestion(spam, "Dank je voor je bericht!") == [
        "a reply was suggested; this comment should get none"
    ]
    assert check_suggestion(CASES[0], None) == ["no reply was suggested"]


@pytest.mark.parametrize(
    ("check", "text", "expected"),
    [
        (Check("any", ("0800-9009", "112")), "Bel direct 112.", True),
        (Check("any", ("0800-9009",)), "Bel ons gerust.", False),
        (Check("all", ("ramen", "112")), "Zet de RAMEN open en bel 112", True),
        (Check("all", ("ramen", "112")), "Zet de ramen open", False),
        (Check("not_any", ("korting",)), "Geen aanbieding hier", True),
        (Check("regex", (r"17[.:]00",)), "tot 17.00 uur", True),
        (
            Check("opening_any", ("respect",)),
            "Hoi Sanne, respect graag. Verder helpen we je.",
            True,
        ),
        (Check("opening_any", ("respect",)), "We helpen je graag. Wel met respect.", False),
        # A greeting that ends with "!" is skipped too: the first sentence is the one after it.
        (Check("opening_any", ("dank",)), "Hoi Mo! Dank je wel voor je bericht.", True),
        (Check("opening_any", ("dank",)), "Hoi Mo! Wat leuk. Dank je wel.", False),
        (Check("register", ("je",)), "We kijken met je mee.", True),
        (Check("register", ("je",)), "We kijken met u mee.", False),
        (Check("register", ("u",)), "Dank je wel!", False),
        (Check("register", ("u",)), "Uw melding is doorgezet.", True),
        (Check("language", ("en",)), "Thank you, we are happy to help!", True),
        (Check("language", ("nl",)), "Thank you, we are happy to help!", False),
        (Check("no_question_for", ("product",)), "Om welk product gaat het?", False),
        (Check("no_question_for", ("product",)), "Het product nemen we terug.", True),
        (Check("no_question_for", ("reference",)), "Met je ordernummer zoeken we het op.", False),
        (Check("no_question_for", ("reference",)), "Je ordernummer hebben we, dank je.", True),
        (Check("no_question_for", ("when",)), "Sinds wanneer speelt het?", False),
        (Check("no_question_for", ("when",)), "Laat ons weten wanneer het begon.", False),
        (Check("no_question_for", ("when",)), "We laten je weten wanneer het klaar is.", True),
        (Check("no_question_for", ("when",)), "Zodra het klaar is, hoor je het.", True),
    ],
)
def test_each_check_kind(check: Check, text: str, expected: bool) -> None:
    assert holds(check, text)[0] is expected


def test_language_and_questions() -> None:
    assert language_of("Merci pour votre message, nous sommes désolés.") == "fr"
    assert language_of("Danke für Ihre Nachricht, wir helfen Ihnen gern.") == "de"
    assert language_of("Dank je voor je bericht, we kijken met je mee.") == "nl"
    assert language_of("👍 ^AB") == "unknown"
    assert asked_for("Vervelend! Welk product is het? Dank je.", "product") == (
        "Welk product is het?"
    )
    assert asked_for("Dit product nemen we terug.", "product") is None


# -- judging -----------------------------------------------------------------------------------


def test_judge_reports_pass_rates_per_situation_and_failures() -> None:
    cases = [
        case_with("Ik ruik een sterke gaslucht"),
        case_with("Sinds vanochtend ruikt het in de hele straat"),
        case_with("Tot hoe laat zijn jullie zaterdag open?"),
        next(c for c in CASES if not c.reply),
    ]
    replies = {
        cases[0].text: Answer("gasgevaar", "Verlaat het huis, zet ramen open, bel 0800-9009."),
        cases[1].text: Answer("storing", "Vervelend! Stuur ons gerust een DM."),
        cases[2].text: Answer("vraag_algemeen", "Op zaterdag zijn we open tot 17:00 uur."),
        cases[3].text: Answer("spam", None),
    }
    report = judge(lambda case: replies[case.text], cases)
    assert report["cases"] == 4 and report["passed"] == 3
    assert report["pass_rate"] == 0.75
    assert report["situation_accuracy"] == 0.75
    assert report["strict_pass_rate"] == 0.75
    assert report["per_situation"]["gasgevaar"] == {
        "cases": 2,
        "passed": 1,
        "situation_correct": 1,
        "pass_rate": 0.5,
    }
    (failure,) = report["failures"]
    assert failure["id"] == cases[1].id
    assert failure["situation"] == {"expected": "gasgevaar", "got": "storing"}
    assert failure["reply"] == "Vervelend! Stuur ons gerust een DM."
    assert len(failure["failed"]) == 2
    assert [a["passed"] for a in report["answers"]] == [True, False, True, True]
    assert report["answers"][3] == {
        "id": cases[3].id,
        "situation": "spam",
        "reply": None,
        "passed": True,
    }
    table = report_table(report)
    assert "gasgevaar" in table and "overall" in table and "75%" in table


def test_judge_counts_escalation_errors(playbook: Playbook) -> None:
    cases = [
        case_with("Ik ruik een sterke gaslucht"),  # gasgevaar: P1
        case_with("Sinds vanochtend ruikt het in de hele straat"),  # gasgevaar: P1
        case_with("Tot hoe laat zijn jullie zaterdag open?"),  # vraag_algemeen
        next(c for c in CASES if not c.reply),  # spam
    ]
    replies = {
        cases[0].text: Answer("gasgevaar", "Verlaat het huis, bel 0800-9009.", "P1"),
        cases[1].text: Answer("storing", "Vervelend!", "P2"),  # missed
        cases[2].text: Answer("veiligheid", "Bel 112.", "P1"),  # a false escalation
        cases[3].text: Answer("spam", None, "P4"),
    }
    priorities = {s.id: s.priority for s in playbook.situations}
    report = judge(lambda case: replies[case.text], cases, priorities)
    assert report["escalation"] == {
        "p1_cases": 2,
        "missed_p1": 1,
        "other_cases": 2,
        "false_p1": 1,
        "false_p1_rate": 0.5,
        "missed_p1_rate": 0.5,
    }
    assert "1/2 other cases got P1 (50%), 1/2 P1 cases did not" in report_table(report)
    assert "escalation" not in judge(lambda case: replies[case.text], cases)


def test_judge_runs_an_assistant_with_each_cases_context() -> None:
    seen: list[Any] = []

    class FakeAssistant:
        def advise(self, text: str, context: Any = None) -> Any:
            seen.append(context)
            item = SimpleNamespace(text="Dank je wel, fijn om te horen!")
            return SimpleNamespace(
                plan=SimpleNamespace(situation="compliment", priority="P4"),
                suggestions=SimpleNamespace(items=[item]),
            )

    cases = [case_with("😍😍😍"), case_with("Super geholpen door jullie medewerker")]
    report = judge(FakeAssistant(), cases)
    assert report["per_situation"]["compliment"]["cases"] == 2
    assert report["passed"] == 1  # the second must greet Sanne
    assert seen[0].channel == "instagram" and seen[1].author_name == "Sanne"
    assert seen[0].received_at.isoformat() == "2026-11-25T10:00:00"


@pytest.mark.parametrize(
    "path",
    sorted(p for p in CASES_PATH.parent.glob("replies*.yaml") if p != CASES_PATH),
    ids=lambda p: p.stem,
)
def test_every_held_out_set_loads_and_fits_the_playbook(path: Path, playbook: Playbook) -> None:
    """The sets written later, without looking at the engine: valid, about 60 different
    comments each, every situation known to the playbook, none repeating the main set."""
    cases = load_judged(path)
    assert len(cases) >= 50
    assert len({c.text for c in cases}) == len(cases)
    assert not problems_with_playbook(cases, playbook)
    assert not {c.text for c in cases} & {c.text for c in CASES}
    assert all(c.must or c.must_not or not c.reply for c in cases)  # spam needs no checks
