"""What a request asks: its fields, and the scenario it asks under.

The server keeps nothing between requests, so an uploaded scenario travels with the page: its text
is carried in a hidden field of every follow-up form (explain an answer, download, why not), which
is then posted rather than put in a link. A bundled scenario travels by its file name, which the
server looks up in a fixed list; no request ever names a path. Uploads are read in memory only
(the body limit of `limits.Limits` caps them first).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from starlette.datastructures import UploadFile
from starlette.requests import Request

from ..errors import CheckError, Diagnostic, Position

FIELDS = 20  # more form fields than any page has
UPLOADED = "@upload"  # the scenario choice that means "the uploaded text carried along"


@dataclass(frozen=True)
class Choice:
    """The scenario a request asks under: a bundled one by name, an uploaded one's text, or none."""

    name: str = ""  # a bundled scenario's file name
    text: str = ""  # an uploaded scenario's text
    label: str = ""  # the uploaded file's name, for messages

    def __bool__(self) -> bool:
        return bool(self.name or self.text)

    @property
    def method(self) -> str:
        """How follow-up forms go: a posted form when they carry an upload, else a plain link."""
        return "post" if self.text else "get"

    def fields(self) -> dict[str, str]:
        """The hidden fields that carry this choice to the next page."""
        if self.text:
            return {"scenario": UPLOADED, "scenario_text": self.text, "scenario_label": self.label}
        return {"scenario": self.name} if self.name else {}


async def read(request: Request) -> tuple[dict[str, str], Choice]:
    """The request's text fields (query string, then form) and its scenario choice."""
    fields = dict(request.query_params)
    upload = None
    if request.method == "POST":
        form = await request.form(max_files=1, max_fields=FIELDS)
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                upload = value if value.filename else upload
            else:
                fields[key] = value
    if upload is not None:
        label = "upload:" + (PurePosixPath(upload.filename.replace("\\", "/")).name[:100] or "scenario")
        data = await upload.read()
        if not data.strip():
            raise CheckError([Diagnostic(Position(label), "bad-scenario", "the uploaded file is empty")])
        try:
            return fields, Choice(text=data.decode("utf-8"), label=label)
        except UnicodeDecodeError:
            raise CheckError([Diagnostic(Position(label), "bad-scenario", "the file is not UTF-8 text (a scenario "
                                                                          "is a YAML or JSON file)")]) from None
    if fields.get("scenario") == UPLOADED and fields.get("scenario_text"):
        label = fields.get("scenario_label") or "upload:scenario"
        return fields, Choice(text=fields["scenario_text"], label=label[:107])
    return fields, Choice(name=fields.get("scenario", ""))
