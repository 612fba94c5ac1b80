"""The template library: real public career frameworks shipped with careermap.

The files live in skills/data/library/ (careermap/1 documents, unchanged from the
sources' restructured copies), with their licence texts in LICENSES/ and the
attribution of each in README.md there. This module only finds and reads them;
importing one is skills.services.framework_import(document=parse(read(name))).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

LIBRARY_DIR = Path(__file__).resolve().parent / "data" / "library"
LICENSES_DIR = LIBRARY_DIR / "LICENSES"


@dataclass(frozen=True)
class Template:
    """One framework of the library. `name` is the file stem, e.g. "ft-engineering"."""

    name: str
    title: str
    attribution: str
    licence: str
    source: str
    path: Path
    licence_files: tuple[Path, ...]


class UnknownTemplate(KeyError, ValueError):
    """No template has this name; the message lists the valid ones."""

    def __init__(self, name: str, valid: list[str]) -> None:
        self.name = name
        self.valid = valid
        super().__init__(f"unknown template {name!r}; valid templates: {', '.join(valid)}")

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0])


# name: (title, attribution, licence, source URL, licence files in LICENSES/)
_CATALOGUE: dict[str, tuple[str, str, str, str, tuple[str, ...]]] = {
    "direct": (
        "DIRECT competencies framework (digital research technical professionals)",
        "Copyright (c) 2024, Adrian D'Alessandro (DIRECT webapp); data: Nenadic, A. et al. "
        "(2026), DIRECT competencies framework v2.0.0, https://doi.org/10.5281/zenodo.19485964",
        "BSD-3-Clause; data CC-BY-4.0",
        "https://github.com/direct-framework/direct-webapp",
        ("direct.BSD-3-Clause.txt", "direct-framework-data.CC-BY-4.0.txt"),
    ),
    "engineeringladders": (
        "Engineering Ladders",
        "Engineering Ladders by Jorge Fioranelli (jorgef), Apache License 2.0",
        "Apache-2.0",
        "https://github.com/jorgef/engineeringladders",
        ("engineeringladders.Apache-2.0.txt",),
    ),
    "ft-engineering": (
        "Financial Times engineering progression",
        "Copyright (c) 2019 Financial Times",
        "MIT",
        "https://github.com/Financial-Times/engineering-progression",
        ("ft-engineering.MIT.txt",),
    ),
    "unidays": (
        "UNiDAYS competency framework",
        "Copyright 2019 MyUNiDAYS Ltd / UNiDAYS",
        "MIT",
        "https://github.com/MyUNiDAYS/competency-framework",
        ("unidays.MIT.txt",),
    ),
}


def _make(name: str) -> Template:
    title, attribution, licence, source, licence_files = _CATALOGUE[name]
    return Template(
        name=name,
        title=title,
        attribution=attribution,
        licence=licence,
        source=source,
        path=LIBRARY_DIR / f"{name}.yaml",
        licence_files=tuple(LICENSES_DIR / f for f in licence_files),
    )


def names() -> list[str]:
    """The template names, sorted."""
    return sorted(_CATALOGUE)


def templates() -> list[Template]:
    """Every template of the library, sorted by name."""
    return [_make(name) for name in names()]


def template(name: str) -> Template:
    """The template called `name`; UnknownTemplate (a KeyError and a ValueError) if none."""
    if name not in _CATALOGUE:
        raise UnknownTemplate(name, names())
    return _make(name)


def read(name: str) -> bytes:
    """The template's file, as bytes for skills.openformat.parse."""
    return template(name).path.read_bytes()
