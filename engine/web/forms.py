"""What a request asks: its fields, and the scenario it asks under.

Every question is a GET with query parameters, so that each answer has an address (bookmarks,
Back, links to send). A scenario travels in the address too: a bundled one by its file name
(`scenario=NAME`, looked up in a fixed list, never a path), an uploaded one by the key the server
keeps it under (`upload=KEY`, see `uploads`). Only an upload is posted; `posted` keeps it and
gives the address to redirect to. Uploads are read in memory only (the body limit of
`limits.Limits` caps them first).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlencode

from starlette.datastructures import UploadFile
from starlette.requests import Request

from ..errors import CheckError, Diagnostic, Position
from .uploads import Uploads

FIELDS = 20  # more form fields than any page has
# the fields of a question, in the order an address lists them
QUESTION = ("headline", "name", "query", "atom", "class", "records", "party")  # `page` is not one: a link
# to another question starts at its first page


@dataclass(frozen=True)
class Choice:
    """The scenario a request asks under: a bundled one by name, an uploaded one by key, or none."""

    name: str = ""  # a bundled scenario's file name
    upload: str = ""  # the key of an uploaded scenario

    def __bool__(self) -> bool:
        return bool(self.name or self.upload)

    def fields(self) -> dict[str, str]:
        """The parameters that carry this choice in an address."""
        return {"upload": self.upload} if self.upload else {"scenario": self.name} if self.name else {}


def address(path: str, fields: dict[str, str], choice: Choice = Choice(), **more: str) -> str:
    """An address of the app: the question's fields, the scenario and more, empty ones left out."""
    merged = {**{k: fields.get(k, "") for k in QUESTION}, **more, **choice.fields()}
    query = urlencode([(k, v) for k, v in merged.items() if v])
    return f"{path}?{query}" if query else path


def read(request: Request) -> tuple[dict[str, str], Choice]:
    """The text fields of a GET request and its scenario choice."""
    fields = {k: v for k, v in request.query_params.items()}
    return fields, Choice(name=fields.get("scenario", ""), upload=fields.get("upload", ""))


async def posted(request: Request, uploads: Uploads) -> str:
    """Keep the scenario file a form posts, and the address of the same question under it."""
    form = await request.form(max_files=1, max_fields=FIELDS)
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    upload = next((v for _, v in form.multi_items() if isinstance(v, UploadFile) and v.filename), None)
    if upload is None:
        raise CheckError([Diagnostic(Position("upload"), "bad-scenario", "no file was chosen to upload")])
    label = "upload:" + (PurePosixPath(upload.filename.replace("\\", "/")).name[:100] or "scenario")
    data = await upload.read()
    if not data.strip():
        raise CheckError([Diagnostic(Position(label), "bad-scenario", "the uploaded file is empty")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CheckError([Diagnostic(Position(label), "bad-scenario", "the file is not UTF-8 text (a scenario "
                                                                      "is a YAML or JSON file)")]) from None
    return address(request.url.path, fields, Choice(upload=uploads.put(label, text)))
