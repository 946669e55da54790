"""The documentation stands on its own: every link in README.md and docs/*.md leads to a file of the repository and,
when it names one, to a heading of that file; and every docs/ file the code, templates or scripts name exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Places outside the documentation that point a reader into it.
REFERRING = ("core", "indicators", "forecasts", "alerts", "networks", "reports", "atrocity_watch", "templates")
REFERRING_FILES = ("Makefile", "gunicorn.conf.py", "pyproject.toml", ".ci/run", "scripts/make-real-db.sh")

FENCE = re.compile(r"^```.*?^```", re.M | re.S)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *#* *$", re.M)
DOCS_PATH = re.compile(r"\bdocs/[\w.-]+\.md\b")


def _prose(text: str) -> str:
    """The text without fenced code, where `#` lines and brackets are not Markdown."""
    return FENCE.sub("", text)


def anchors(text: str) -> set[str]:
    """The anchors of a file's headings, as GitHub makes them: lower case, punctuation dropped, spaces as hyphens."""
    found: set[str] = set()
    for heading in HEADING.findall(_prose(text)):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found


def broken_links(document: Path) -> list[str]:
    """Each link of `document` that leaves the repository or leads to no file or heading, as 'file: target'."""
    broken = []
    for target in LINK.findall(CODE_SPAN.sub("", _prose(document.read_text()))):
        path_part, _, anchor = target.partition("#")
        if re.match(r"^[a-z][a-z0-9+.-]*:", path_part):
            broken.append(f"{document.name}: {target} (outside the repository)")
            continue
        linked = (document.parent / path_part).resolve() if path_part else document
        if not linked.is_file():
            broken.append(f"{document.name}: {target} (no such file)")
        elif anchor and (linked.suffix != ".md" or anchor not in anchors(linked.read_text())):
            broken.append(f"{document.name}: {target} (no such heading)")
    return broken


def test_the_anchors_follow_githubs_rule():
    text = "# Onset forecast\n## How data flows: import -> score\n```\n# not a heading\n```\n## Onset forecast\n"
    assert anchors(text) == {"onset-forecast", "how-data-flows-import---score", "onset-forecast-1"}


def test_a_link_to_a_missing_file_or_heading_is_found(tmp_path):
    (tmp_path / "a.md").write_text("# Title\n\n[ok](#title) [gone](#missing) [file](b.md) [web](https://example.org)\n")
    assert broken_links(tmp_path / "a.md") == [
        "a.md: #missing (no such heading)",
        "a.md: b.md (no such file)",
        "a.md: https://example.org (outside the repository)",
    ]


def test_every_link_of_the_documentation_leads_to_a_file_and_heading_of_the_repository():
    assert len(DOCUMENTS) > 1
    assert [problem for document in DOCUMENTS for problem in broken_links(document)] == []


def test_every_docs_file_the_code_names_exists():
    sources = [path for folder in REFERRING for path in (ROOT / folder).rglob("*") if path.suffix in {".py", ".html"}]
    sources += [ROOT / name for name in REFERRING_FILES]
    named = {(path.relative_to(ROOT), name) for path in sources for name in DOCS_PATH.findall(path.read_text())}
    assert named, "the code names no docs/ file: this test reads the wrong places"
    assert sorted(f"{path}: {name}" for path, name in named if not (ROOT / name).is_file()) == []
