"""``--html``: one self-contained, escaped page with the header, the families and a drill-down."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from harness.run.run_support import case, scripted_run

from pjconf.harness.reports import html as html_report
from pjconf.harness.reports.summary import RunInfo
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.harness.run.expectations import Expectations
from pjconf.harness.run.runner import RunResult

INFO = RunInfo(
    implementation={"implementation": "fake-impl", "version": "9.9"},
    impl="docker:fake/image:1",
    corpus={"version": "pjconf 0.1.0", "sha256": "cd" * 32},
    started=0,
    elapsed=1.25,
)
VOID = {"meta", "br", "hr", "img", "input", "link"}


class Page(HTMLParser):
    """Tags (with attributes), text per element id, and a check that every tag is closed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.text: list[str] = []
        self.by_id: dict[str, list[str]] = {}
        self._ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag not in VOID:
            self.open.append(tag)
            self._ids.append(attributes.get("id") or "")

    def handle_endtag(self, tag: str) -> None:
        assert self.open[-1:] == [tag], f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()
        self._ids.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for element_id in self._ids:
            if element_id:
                self.by_id.setdefault(element_id, []).append(data)

    def section(self, element_id: str) -> str:
        return "".join(self.by_id.get(element_id, []))

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def _parse(run: RunResult, info: RunInfo = INFO) -> tuple[Page, str]:
    source = html_report.render(run, info)
    page = Page()
    page.feed(source)
    page.close()
    assert page.open == [], f"unclosed: {page.open}"
    return page, source


def _mixed_run() -> RunResult:
    cases = [
        case("alpha", 1),
        case("alpha", 2, "fail", comment="wrong answer", flags=("EdgeFlag",)),
        case("alpha", 3, "error", comment="adapter died"),
        case("alpha", 4, "refuse", result="acceptable", comment="either way"),
        case("alpha", 5, "fail", comment="known one"),
        case("beta", 1, "skip"),
    ]
    expect = Expectations(known_failures={"alpha/5": "tracked as bug 5"})
    result, _ = scripted_run(cases, expectations=expect)
    result.excluded = {"delta": "not for this adapter"}
    return result


def test_the_page_is_self_contained() -> None:
    page, source = _parse(_mixed_run())
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed"}
    for _, attributes in page.tags:
        assert "src" not in attributes
        href = attributes.get("href")
        assert href is None or href.startswith("#")
    lowered = source.lower()
    assert "src=" not in lowered
    assert "href=http" not in lowered
    assert "url(" not in lowered
    assert "<style>" in source


def test_the_header_names_the_implementation_corpus_date_and_totals() -> None:
    page, _ = _parse(_mixed_run())
    text = page.all_text
    assert "pjconf run: fake-impl 9.9" in text
    for expected in ("docker:fake/image:1", "pjconf 0.1.0", "cd" * 32, "1970-01-01T00:00:00Z"):
        assert expected in text
    assert "PASS 1, FAIL 1, SKIP 1, ACCEPTABLE 1, ERROR 1, KNOWN_FAILURE 1" in text
    assert "pjconf run: FAILED" in text


def test_the_family_table_has_a_row_per_family_with_its_counts() -> None:
    page, source = _parse(_mixed_run())
    assert source.count("<tr><td>") == 2  # alpha and beta; the header and totals use <th>
    assert "NOTHING RAN: all 1 case skipped (1 unimplemented)" in page.all_text
    assert "delta: not for this adapter" in page.all_text


@pytest.mark.parametrize(
    ("anchor", "verdict", "parts"),
    [
        ("case-alpha-2", "FAIL", ["wrong answer", "EdgeFlag", '"value": "01"', '"value": "02"']),
        ("case-alpha-3", "ERROR", ["adapter died", "adapter exited without answering"]),
        ("case-alpha-4", "ACCEPTABLE", ["either way", "refused: Other"]),
        ("case-alpha-5", "KNOWN_FAILURE", ["known one", "tracked as bug 5", "FAIL"]),
    ],
)
def test_every_case_worth_a_look_is_listed_with_expected_got_and_inputs(
    anchor: str, verdict: str, parts: list[str]
) -> None:
    page, _ = _parse(_mixed_run())
    text = page.section(anchor)
    assert text.startswith(verdict)
    for part in [*parts, '"answer": ', "reproduce", "pjconf run --case alpha/"]:
        assert part in text, part


def test_passes_and_skips_are_not_drilled_into() -> None:
    page, _ = _parse(_mixed_run())
    assert "case-alpha-1" not in page.by_id
    assert "case-beta-1" not in page.by_id


def test_a_green_run_says_there_is_nothing_to_look_at() -> None:
    page, _ = _parse(scripted_run([case("a", 1)])[0])
    assert "None: every case that ran passed." in page.all_text


NASTY = "<script>alert(1)</script> & <img src=http://x/y.png> \x00\x1b[0m\ud800"


def test_everything_from_the_corpus_or_the_implementation_is_escaped() -> None:
    bad = Outcome(
        case("esc", 1, comment=NASTY, flags=(NASTY,)),
        Verdict.FAIL,
        detail=NASTY,
        got={"value": NASTY},
    )
    info = RunInfo(implementation={"implementation": NASTY, "version": NASTY})
    page, source = _parse(RunResult(outcomes=[bad], families=["esc"]), info)
    assert not {tag for tag, _ in page.tags} & {"script", "img"}
    assert "<script>alert(1)</script>" in page.section("case-esc-1")  # shown, as text
    assert "\x00" not in source
    assert "\x1b" not in source
    assert "\\x00\\x1b[0m\\ud800" in source
