"""The translation catalogues are complete and compiled.

Every sentence the code marks for translation has a Dutch translation (Dutch is the
default language: an untranslated msgid would show English to a Flemish reader), every
catalogue of what a borrower reads has a French one, and each committed .mo says what
its .po says. The strings marked in the source are found by Django's own
``makemessages`` run on a copy of the package, so the test extracts exactly what the
tool that maintains the catalogues extracts.
"""

from __future__ import annotations

import ast
import gettext
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "lidgeld"
CATALOGUES = sorted(PACKAGE.rglob("locale/*/LC_MESSAGES/django.po"))
# The catalogues a borrower reads from: the portal's, and the shared one (kiosk screen
# texts, the errors of renewals, PINs, payments and reservations, notices).
BORROWER_CATALOGUES = (PACKAGE / "portal" / "locale", PACKAGE / "locale")


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr) and "fuzzy" not in self.flags


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, the header (msgid "") included: msgid, msgid_plural,
    msgctxt, msgstr (msgstr[n] in order), flags; obsolete entries (#~) are marked."""
    entries: list[Entry] = []
    current: dict[str, list[str]] = {}
    flags: set[str] = set()
    obsolete = False
    last: str | None = None

    def finish() -> None:
        nonlocal current, flags, obsolete, last
        if "msgid" in current:
            plural_keys = sorted(
                (key for key in current if key.startswith("msgstr[")),
                key=lambda key: int(key[7:-1]),
            )
            msgstr = (
                ["".join(current[key]) for key in plural_keys]
                if plural_keys
                else ["".join(current.get("msgstr", []))]
            )
            entries.append(
                Entry(
                    msgid="".join(current["msgid"]),
                    msgid_plural="".join(current["msgid_plural"])
                    if "msgid_plural" in current
                    else None,
                    msgctxt="".join(current["msgctxt"]) if "msgctxt" in current else None,
                    msgstr=msgstr,
                    flags=flags,
                    obsolete=obsolete,
                )
            )
        current, flags, obsolete, last = {}, set(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            obsolete = True
            line = line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            if "msgid" in current:
                finish()
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            if "msgid" in current and last is not None and last.startswith("msgstr"):
                finish()
            continue
        if line.startswith('"'):
            assert last is not None, f"{path}: a continuation line without a keyword"
            current[last].append(ast.literal_eval(line))
            continue
        keyword, _, value = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and "msgid" in current and last != "msgctxt":
            finish()
        current[keyword] = [ast.literal_eval(value.strip())]
        last = keyword
    finish()
    return entries


def language_of(po: Path) -> str:
    return po.parent.parent.name


def live_entries(po: Path) -> list[Entry]:
    return [entry for entry in parse_po(po) if not entry.obsolete and entry.msgid]


def describe(entries: list[Entry]) -> str:
    return "\n".join(f"  {entry.msgid!r}" for entry in entries)


def test_the_package_has_catalogues():
    # Given the package, then it has the shared catalogue and the apps' in every language
    languages = {(po.parents[3].name, language_of(po)) for po in CATALOGUES}
    for owner in ("lidgeld", "portal"):
        assert {(owner, "nl"), (owner, "fr"), (owner, "en")} <= languages
    assert ("staffweb", "nl") in languages


@pytest.mark.parametrize("po", [po for po in CATALOGUES if language_of(po) == "nl"], ids=str)
def test_every_dutch_msgid_is_translated(po):
    # Given a Dutch catalogue, then no msgid has an empty or fuzzy translation
    untranslated = [entry for entry in live_entries(po) if not entry.translated]
    assert not untranslated, f"{po}: untranslated or fuzzy in Dutch:\n{describe(untranslated)}"
    header = next(entry for entry in parse_po(po) if not entry.msgid)
    assert "fuzzy" not in header.flags, f"{po}: the header is fuzzy (msgfmt would skip it)"


@pytest.mark.parametrize(
    "po",
    [po for po in CATALOGUES if language_of(po) == "fr" and po.parents[2] in BORROWER_CATALOGUES],
    ids=str,
)
def test_every_french_msgid_a_borrower_reads_is_translated(po):
    # Given a French catalogue of what borrowers read, then every msgid is translated
    untranslated = [entry for entry in live_entries(po) if not entry.translated]
    assert not untranslated, f"{po}: untranslated or fuzzy in French:\n{describe(untranslated)}"


def test_the_french_catalogues_a_borrower_reads_exist():
    # Given the borrower-facing catalogues, then each has a French .po
    for locale in BORROWER_CATALOGUES:
        assert (locale / "fr" / "LC_MESSAGES" / "django.po").exists(), locale


@pytest.mark.parametrize("po", CATALOGUES, ids=str)
def test_the_committed_mo_is_the_compiled_po(po, tmp_path):
    # Given a .po, when it is compiled now (with msgfmt's format checks), then the
    # committed .mo holds the same translations
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: msgfmt --check -o {mo} {po}"
    fresh = tmp_path / "django.mo"
    run = subprocess.run(
        ["msgfmt", "--check", "-o", str(fresh), str(po)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    with fresh.open("rb") as new, mo.open("rb") as committed:
        expected = gettext.GNUTranslations(new)._catalog  # type: ignore[attr-defined]
        actual = gettext.GNUTranslations(committed)._catalog  # type: ignore[attr-defined]
    assert actual == expected, f"{mo} is out of date: msgfmt --check -o {mo} {po}"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[Path, set[tuple[str | None, str]]]:
    """What makemessages finds in the source, per catalogue (the locale folder of the
    app the file is in, else the shared one): the msgids of each .pot it writes."""
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext (GNU gettext) is needed: apt-get install gettext")
    copy = tmp_path_factory.mktemp("extract") / "lidgeld"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "migrations", "static"),
    )
    (copy / "locale").mkdir(exist_ok=True)
    found: dict[Path, set[tuple[str | None, str]]] = {}
    with pytest.MonkeyPatch.context() as patch, override_settings(LOCALE_PATHS=[copy / "locale"]):
        patch.chdir(copy)
        call_command("makemessages", locale=["nl"], keep_pot=True, verbosity=0)
    for pot in copy.rglob("locale/django.pot"):
        owner = PACKAGE / pot.parent.relative_to(copy)
        found[owner] = {entry.key for entry in live_entries(pot)}
    return found


def test_makemessages_finds_the_marked_strings(extracted):
    # Given the source, when makemessages extracts it, then it finds the shared and the
    # apps' catalogues' strings (a broken extraction would pass the next test vacuously)
    assert PACKAGE / "staffweb" / "locale" in extracted
    assert PACKAGE / "portal" / "locale" in extracted
    assert all(extracted.values())


def test_every_marked_string_is_in_the_dutch_catalogue(extracted):
    # Given the strings marked for translation in the source, then each is translated
    # in the Dutch catalogue of the app it is in (or the shared one)
    missing: list[str] = []
    for locale, keys in sorted(extracted.items()):
        po = locale / "nl" / "LC_MESSAGES" / "django.po"
        translated = (
            {entry.key for entry in live_entries(po) if entry.translated} if po.exists() else set()
        )
        missing += [
            f"  {po.relative_to(PACKAGE)}: {msgid!r}"
            + (f" (context {context!r})" if context else "")
            for context, msgid in sorted(keys - translated, key=str)
        ]
    assert not missing, "marked for translation but not translated in Dutch:\n" + "\n".join(missing)


def test_the_parser_reads_flags_plurals_and_continuations(tmp_path):
    # Given a small catalogue, when it is parsed, then fuzzy, plural and multi-line
    # entries come out as msgfmt reads them (the tests above rely on it)
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: nl\\n"\n\n'
        "#: a.py:1\n#, fuzzy, python-format\n"
        'msgid "one %(n)s"\nmsgstr "een %(n)s"\n\n'
        'msgid "a"\n"b"\nmsgid_plural "ab"\nmsgstr[0] "x"\nmsgstr[1] ""\n\n'
        'msgctxt "ctx"\nmsgid "c"\nmsgstr "d"\n\n'
        '#~ msgid "old"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    entries = parse_po(po)
    assert [entry.msgid for entry in entries] == ["", "one %(n)s", "ab", "c", "old"]
    assert entries[1].flags == {"fuzzy", "python-format"}
    assert not entries[1].translated
    assert entries[2].msgid_plural == "ab"
    assert entries[2].msgstr == ["x", ""]
    assert not entries[2].translated
    assert entries[3].key == ("ctx", "c")
    assert entries[3].translated
    assert entries[4].obsolete


def test_a_msgid_in_two_dutch_catalogues_has_one_translation():
    # Given the Dutch catalogues, then a msgid (in its context) that more than one of
    # them translates is translated alike: at run time the shared catalogue overrides
    # the apps' (and the apps each other), so a second translation silently replaces
    # the first on the other app's pages
    seen: dict[tuple[str | None, str], tuple[Path, list[str]]] = {}
    conflicts: list[str] = []
    for po in (po for po in CATALOGUES if language_of(po) == "nl"):
        for entry in live_entries(po):
            if not entry.translated:
                continue
            first = seen.setdefault(entry.key, (po, entry.msgstr))
            if first[1] != entry.msgstr:
                conflicts.append(
                    f"  {entry.msgid!r}: {first[1]} in {first[0].relative_to(PACKAGE)}, "
                    f"{entry.msgstr} in {po.relative_to(PACKAGE)}"
                )
    assert not conflicts, "translated differently in two catalogues:\n" + "\n".join(conflicts)


def test_every_catalogue_entry_is_still_in_the_source(extracted):
    # Given the catalogues, then each msgid is still marked in the source of the app
    # whose catalogue holds it: a label moved elsewhere leaves no stale translation
    # behind that would override (or contradict) the one it moved to
    stale: list[str] = []
    for po in CATALOGUES:
        keys = extracted.get(po.parents[2], set())
        stale += [
            f"  {po.relative_to(PACKAGE)}: {entry.msgid!r}"
            for entry in live_entries(po)
            if entry.key not in keys
        ]
    assert not stale, "in a catalogue but no longer in its source:\n" + "\n".join(stale)
