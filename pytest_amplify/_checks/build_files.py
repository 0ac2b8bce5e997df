"""Which file of a build can prove that a site serves that build: the build's files
at their URL paths, and among them one whose bytes differ from the previous build's.

Amplify documents ``artifactsUrl`` only as "the URL to the build artifact for the
execution step". For static hosting (GetApp's ``platform`` is ``WEB``) the BUILD
artifacts are the files served, each at its own path; a compute app's bundle keeps
its static files under ``.amplify-hosting/static/``, so there the mapping from zip
paths to URL paths is the user's to give.
"""

from __future__ import annotations

import dataclasses
import zipfile
from collections.abc import Iterable, Mapping
from urllib.parse import quote

from .._core.errors import AmplifyAssertionError
from .._core.vocabulary import COMPUTE_STATIC_FOLDER, STATIC_PLATFORM

# Larger files prove nothing more and cost every request their size.
MAX_FILE_BYTES = 2 * 1024 * 1024
SAMPLE_SIZE = 10


@dataclasses.dataclass(frozen=True)
class BuildFile:
    """A file of the build, the path it is served at, and its bytes."""

    zip_path: str
    url_path: str
    content: bytes


@dataclasses.dataclass(frozen=True)
class ChosenFile:
    """The file to look for, and the same file in the previous build (None when that
    build lacks it or could not be read)."""

    file: BuildFile
    previous_content: bytes | None


def _mapped(name: str, files: Mapping[str, str]) -> str | None:
    """The URL path of zip entry ``name`` under ``files``; a key ending in ``/`` maps
    a folder (``{".amplify-hosting/static/": "/"}``)."""
    for source, target in files.items():
        source = source.lstrip("/")
        if source.endswith("/"):
            if name.startswith(source) and len(name) > len(source):
                return target.rstrip("/") + "/" + name[len(source) :]
        elif name == source:
            return "/" + target.lstrip("/")
    return None


def _hidden(name: str) -> bool:
    return any(part.startswith(".") for part in name.split("/"))


def url_paths(
    names: Iterable[str], files: Mapping[str, str] | None, platform: str | None, what: str
) -> dict[str, str]:
    """Zip path -> URL path for the files that are served: by ``files`` when given,
    else each file at its own path when the app is static (``WEB``)."""
    names = list(names)
    if files is not None:
        mapping = {name: path for name in names if (path := _mapped(name, files)) is not None}
        if not mapping:
            sample = ", ".join(sorted(names)[:SAMPLE_SIZE]) or "nothing"
            raise AmplifyAssertionError(
                f"files={dict(files)!r} maps none of the {len(names)} files of {what}; "
                f"they include: {sample}"
            )
        return mapping
    if platform == STATIC_PLATFORM:
        return {name: "/" + name for name in names if not _hidden(name)}
    shown = (
        platform or "unknown (the job came without the plugin's resolver, so GetApp was not called)"
    )
    raise AmplifyAssertionError(
        f"the app's platform is {shown}: only for static hosting (WEB) are the BUILD "
        "artifacts the files served at their own paths. Say where the files are served "
        f"with files=, e.g. files={{'{COMPUTE_STATIC_FOLDER}': '/'}} for the static files "
        "of a compute app (WEB_COMPUTE), or check a page with expect=, e.g. the commit id "
        "in /version.json"
    )


def _preference(info: zipfile.ZipInfo, url_path: str) -> tuple[int, int, str]:
    """The home page first (what visitors get), then other pages, then the smallest
    file (cheapest to ask for again and again)."""
    rank = 0 if url_path == "/index.html" else 1 if url_path.endswith(".html") else 2
    return rank, info.file_size, info.filename


def choose_file(
    current: zipfile.ZipFile,
    previous: zipfile.ZipFile | None,
    mapping: Mapping[str, str],
    what: str,
    previous_what: str,
) -> ChosenFile:
    """The file to look for on the site: with the previous build at hand, one whose
    bytes differ from that build's (compared by CRC-32 and size, without reading
    every file); raises the assertion's failure when no file can tell them apart."""
    infos = {info.filename: info for info in current.infolist() if not info.is_dir()}
    usable = sorted(
        (
            info
            for name, info in infos.items()
            if name in mapping and 0 < info.file_size <= MAX_FILE_BYTES
        ),
        key=lambda info: _preference(info, mapping[info.filename]),
    )
    if not usable:
        raise AmplifyAssertionError(
            f"none of the {len(mapping)} served files of {what} can be checked: each is "
            f"empty or larger than {MAX_FILE_BYTES:,} bytes"
        )
    before = (
        {info.filename: info for info in previous.infolist() if not info.is_dir()}
        if previous is not None
        else {}
    )
    for info in usable:
        old = before.get(info.filename)
        same = old is not None and (old.CRC, old.file_size) == (info.CRC, info.file_size)
        if previous is not None and same:
            continue
        return ChosenFile(
            BuildFile(info.filename, quote(mapping[info.filename]), current.read(info)),
            previous.read(old) if previous is not None and old is not None else None,
        )
    raise AmplifyAssertionError(
        f"cannot tell the build from the previous one: all {len(usable)} served files of "
        f"{what} are byte for byte those of {previous_what}, so a site still serving the "
        "previous build would pass. Check something that changes with every build instead: "
        "expect= on a page that carries the commit id (e.g. /version.json), or files= "
        "naming a file that differs"
    )
