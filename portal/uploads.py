"""Uploaded files: size limits and type by content, not by name (QUALITY.md, "Uploads")."""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

# What a file must begin with to be what its name says. Office documents are zip containers.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
DOCUMENT_TYPES = (".pdf", ".docx", ".xlsx", ".png", ".jpg", ".jpeg")


def validate_document(file: UploadedFile, *, allowed: tuple[str, ...] = DOCUMENT_TYPES,
                      max_bytes: int = MAX_DOCUMENT_BYTES) -> None:
    """Refuse a file that is too big, of a type not allowed, or whose content is not what its name says."""
    if file.size is not None and file.size > max_bytes:
        raise ValidationError(_("文件不能超过 %(mb)s MB。") % {"mb": max_bytes // (1024 * 1024)}, code="too_big")
    suffix = PurePath(file.name or "").suffix.lower()
    if suffix not in allowed:
        raise ValidationError(_("只接受以下类型的文件：%(types)s。") % {"types": "、".join(allowed)}, code="type")
    head = file.read(16)
    file.seek(0)
    if not any(head.startswith(sig) for sig in SIGNATURES[suffix]):
        raise ValidationError(_("文件内容与扩展名 %(suffix)s 不符。") % {"suffix": suffix}, code="content")
