"""README is a newcomer's page (issue 25): at most 200 lines from clone to a running kiosk and a first
recolour, the detail and the measured figures under docs/; every link in it and in docs/ leads to a file
that is there."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _pages() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def test_readme_is_short_and_points_to_the_detail():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    for page in ("docs/ARCHITECTURE.md", "docs/MEASURED.md", "docs/KIOSK.md", "docs/MODELS.md", "docs/CLI.md"):
        assert f"]({page})" in text, page
    for command in ("make run", "make test", "--kiosk", "hairtint recolor"):
        assert command in text


def test_every_relative_link_leads_to_a_file():
    broken = []
    for page in _pages():
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue  # a web address, or a heading on the same page
            path = target.split("#", 1)[0]
            if not (page.parent / path).exists():
                broken.append(f"{page.relative_to(REPO)}: {target}")
    assert broken == []
