"""Which document files a browser may show in a page: a PDF in a frame, a raster image
(PNG, JPEG, GIF, WebP) as an image. Everything else is only downloaded.

What a page offers follows the version's media type (``format``, as the uploading browser or
the import gave it), or the file name's extension when the format is not a media type (a
format name such as ``PDF/A`` from an import). Before
``/arkiv/dokument/<id>/vis`` sends the bytes inline, their first bytes must agree with that
kind (:func:`shows_inline`): a file that only claims to be a PDF or an image is never shown,
whatever it really holds. SVG is not an image here (it can carry script).
"""

from __future__ import annotations

PDF = "pdf"
IMAGE = "bilde"

MEDIA_TYPES: dict[str, str] = {
    "application/pdf": PDF,
    "image/png": IMAGE,
    "image/jpeg": IMAGE,
    "image/gif": IMAGE,
    "image/webp": IMAGE,
}
"""Media types shown inline, with their kind."""
EXTENSIONS: dict[str, str] = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
"""The media type of a file name's extension, when the format is not a media type."""
_TOP_LEVEL_TYPES = frozenset(
    {"application", "audio", "font", "image", "message", "model", "multipart", "text", "video"}
)


def view_media_type(format: str | None, filnavn: str | None = "") -> str | None:
    """The media type to show the file as (one of :data:`MEDIA_TYPES`), or None: not shown."""
    declared = (format or "").split(";", 1)[0].strip().lower()
    if declared in MEDIA_TYPES:
        return declared
    if declared.partition("/")[0] in _TOP_LEVEL_TYPES:
        return None  # another media type (text/html, image/svg+xml, ...): only downloaded
    name = (filnavn or "").strip().lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    return EXTENSIONS.get(extension)


def view_kind(format: str | None, filnavn: str | None = "") -> str | None:
    """:data:`PDF`, :data:`IMAGE`, or None for a file that is only downloaded."""
    media_type = view_media_type(format, filnavn)
    return MEDIA_TYPES[media_type] if media_type else None


def shows_inline(media_type: str, content: bytes) -> bool:
    """Whether ``content`` starts as a file of ``media_type`` does."""
    head = content[:16]
    if media_type == "application/pdf":
        return head.startswith(b"%PDF-")
    if media_type == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if media_type == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if media_type == "image/gif":
        return head.startswith((b"GIF87a", b"GIF89a"))
    if media_type == "image/webp":
        return head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    return False
