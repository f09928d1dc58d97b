"""Uploaded files: size limits and type by content, not by name (QUALITY.md, "Uploads")."""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# A scanned A4 page at 600 dpi is about 35 million pixels; more is a decompression bomb, not a scan.
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_TYPES = (".png", ".jpg", ".jpeg")

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
# What a checked file is served as: from its (checked) suffix, never from what the client claimed.
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(PurePath(name).suffix.lower(), "application/octet-stream")


def validate_document(file: UploadedFile, *, allowed: tuple[str, ...] = DOCUMENT_TYPES,
                      max_bytes: int = MAX_DOCUMENT_BYTES, max_pixels: int = MAX_IMAGE_PIXELS) -> None:
    """Refuse a file that is too big, of a type not allowed, whose content is not what its name says, or an
    image with more pixels than a scan has (a pixel bomb: small on disk, gigabytes once decoded)."""
    if file.size is not None and file.size > max_bytes:
        raise ValidationError(_("文件不能超过 %(mb)s MB。") % {"mb": max_bytes // (1024 * 1024)}, code="too_big")
    suffix = PurePath(file.name or "").suffix.lower()
    if suffix not in allowed:
        raise ValidationError(_("只接受以下类型的文件：%(types)s。") % {"types": "、".join(allowed)}, code="type")
    head = file.read(16)
    file.seek(0)
    if not any(head.startswith(sig) for sig in SIGNATURES[suffix]):
        raise ValidationError(_("文件内容与扩展名 %(suffix)s 不符。") % {"suffix": suffix}, code="content")
    if suffix in IMAGE_TYPES:
        _check_image(file, max_pixels=max_pixels)


def _check_image(file: UploadedFile, *, max_pixels: int) -> None:
    """Read the image's header only (no decoding) for its size, then check its structure."""
    too_big = _("图片像素过多（超过 %(mp)s 百万像素），请缩小后上传。") % {"mp": max_pixels // 1_000_000}
    try:
        with Image.open(file) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise ValidationError(too_big, code="pixels")
            image.verify()
    except Image.DecompressionBombError as exc:  # Pillow's own, far larger limit
        raise ValidationError(too_big, code="pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("图片文件已损坏或无法识别。"), code="content") from exc
    finally:
        file.seek(0)
