"""Reading one uploaded file from a ``multipart/form-data`` form, under a size limit.

The body is read as it arrives and refused as soon as it passes the limit (the API's
``max_body_bytes`` for the file, plus room for the form's small fields), so a large upload
never sits in memory whole. It is then split by the standard library's MIME parser (the
project carries no multipart package): the first part with a file name is the file, every
other part a text field. Anything that is not such a form is an :class:`InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import HTTP

from fastapi import Request
from starlette.types import Scope

from shieldwall.model.errors import InputError

FIELDS_ROOM = 64 * 1024
"""Room for the form's fields and part headers, on top of the file's limit."""


@dataclass(frozen=True, slots=True)
class UploadForm:
    """The form's text fields (first value of each) and its one file."""

    fields: dict[str, str] = field(default_factory=dict)
    file_name: str = ""
    file_data: bytes = b""


class TooLargeError(InputError):
    """The upload passed the limit (the page answers 413, naming the limit)."""


async def read_upload(request: Request, max_file_bytes: int) -> UploadForm:
    """The form of the request, read whole up to the limit; InputError for anything else."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise InputError("the form must be sent as multipart/form-data", place="body")
    limit = max_file_bytes + FIELDS_ROOM
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(max_file_bytes)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise _too_large(max_file_bytes)
    form = parse_form(content_type, bytes(body))
    if len(form.file_data) > max_file_bytes:
        raise _too_large(max_file_bytes)
    return form


def too_large_page(scope: Scope, limit: int) -> tuple[bytes, bytes] | None:
    """The 413 of a console request refused by the body limit before it reached the page:
    a small HTML page (no session is read there) instead of the API's problem document."""
    if not str(scope.get("path", "")).startswith("/console"):
        return None
    text = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Too large</title>"
        f"<h1>Too large</h1><p>Requests and files are limited to {limit} bytes "
        "(max_body_bytes).</p><p><a href=/console/intel/import>Back to the import</a></p>"
    )
    return b"text/html; charset=utf-8", text.encode()


def _too_large(limit: int) -> TooLargeError:
    return TooLargeError(f"files are limited to {limit} bytes (max_body_bytes)", place="file")


def parse_form(content_type: str, body: bytes) -> UploadForm:
    """Split a multipart body into fields and one file; InputError when it is not one."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n"
    header = head.encode("latin-1", "replace")
    message = message_from_bytes(header + body, policy=HTTP)
    if not message.is_multipart() or message.defects:
        raise InputError("the form's multipart body cannot be read", place="body")
    fields: dict[str, str] = {}
    file_name, file_data, has_file = "", b"", False
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        data = _payload(part)
        filename = part.get_filename()
        if filename is not None and not has_file:
            file_name, file_data, has_file = _base_name(filename), data, True
        elif filename is None:
            fields.setdefault(name, data.decode("utf-8", "replace"))
    return UploadForm(fields, file_name, file_data)


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _base_name(filename: str) -> str:
    """The file's own name, without any folder a browser sent (shown back on the page)."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1][:200]
