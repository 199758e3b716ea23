"""The documentation's references hold: every provider contract the code cites is
a section of docs/providers.md, and links between the docs reach a real heading."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SKIPPED_DIRS = {".git", ".venv", ".run", "node_modules", "staticfiles", "media"}
TEXT_SUFFIXES = {".py", ".md", ".html", ".txt", ".js", ".css", ".yml", ".toml", ".in"}
# Spelled in two halves so that this file does not cite it.
OLD_CONTRACTS = "PROVIDERS" + ".md"
CITATION = re.compile(r"docs/providers\.md#([\w-]+)")
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]*\.md)?#([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)


def repository_text_files():
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            path = Path(folder, name)
            if path.suffix in TEXT_SUFFIXES or name in ("Makefile", "Procfile.dev"):
                yield path


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(heading) for heading in HEADING.findall(page.read_text())}


def test_no_file_cites_the_contracts_outside_the_repository():
    """The provider contracts live in docs/providers.md; nothing cites the old file."""
    citing = [
        str(path.relative_to(ROOT))
        for path in repository_text_files()
        if OLD_CONTRACTS in path.read_text(errors="replace")
    ]
    assert citing == []


def test_every_cited_provider_section_exists():
    """`docs/providers.md#<section>` in code or docs names a heading of that page."""
    sections = anchors(DOCS / "providers.md")
    cited = {
        (str(path.relative_to(ROOT)), anchor)
        for path in repository_text_files()
        for anchor in CITATION.findall(path.read_text(errors="replace"))
    }
    assert cited, "nothing cites docs/providers.md"
    assert sorted(c for c in cited if c[1] not in sections) == []


def test_links_between_docs_reach_a_heading():
    """A markdown link to `page.md#anchor` (or `#anchor`) in the README or docs/
    lands on a heading of that page."""
    broken = []
    for page in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for target, anchor in MARKDOWN_LINK.findall(page.read_text()):
            linked = (page.parent / target) if target else page
            if not linked.exists() or anchor not in anchors(linked):
                broken.append(f"{page.relative_to(ROOT)}: {target}#{anchor}")
    assert broken == []
