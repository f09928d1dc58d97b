"""印章: the round red seal stamped on a department's notices and licences.

A department's uploaded seal image is used when it has one. Otherwise a seal is drawn in the shape of a
Chinese official seal (GB/T 9704 style round seal): a red ring, a five-pointed star in the centre, the
department's name along the upper arc and "政务服务专用章" on a line under the star. The drawing is
deterministic, so it is cached in memory by name.
"""

from __future__ import annotations

import base64
import functools
import io
import logging
import math
import shutil
import subprocess
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from portal.models import Department

logger = logging.getLogger(__name__)

SEAL_PIXELS = 400
SEAL_PURPOSE = "政务服务专用章"
SEAL_RED = (214, 0, 24, 235)  # 印泥红, a touch translucent as ink on paper
# Drawn at this multiple and scaled down: Pillow draws without anti-aliasing.
_SUPERSAMPLE = 3
UPLOADED_SEAL_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
# A scanned seal at 600 dpi is about 1,000 pixels square; anything far larger would only slow every PDF down.
MAX_UPLOADED_SEAL_PIXELS = 4000 * 4000
FONT_PATTERN = "Noto Sans CJK SC:style=Bold"


class SealFontMissing(RuntimeError):
    """fontconfig knows no CJK font; the project installs Debian's fonts-noto-cjk."""


@functools.cache
def cjk_font_file() -> tuple[str, int]:
    """The file and face index (the .ttc holds several faces) of the bold CJK font, through fontconfig."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise SealFontMissing("fc-match (fontconfig) is not installed")
    # Fixed arguments, no shell: nothing here comes from a user.
    result = subprocess.run(  # noqa: S603
        [fc_match, "-f", "%{file}|%{index}|%{family}", FONT_PATTERN],
        capture_output=True, text=True, check=True, timeout=10,
    )
    path, index, family = result.stdout.split("|", 2)
    # fc-match always answers, with a fallback font when the pattern is unknown: make sure it is CJK.
    if "CJK" not in family:
        raise SealFontMissing(f"no CJK font for {FONT_PATTERN!r} (fontconfig offers {family!r}); "
                              "install fonts-noto-cjk")
    return path, int(index or 0)


def _font(size: int) -> ImageFont.FreeTypeFont:
    path, index = cjk_font_file()
    return ImageFont.truetype(path, size=size, index=index)


def _glyph(char: str, font: ImageFont.FreeTypeFont, squeeze: float) -> Image.Image:
    """One character on its own transparent square, centred and condensed to `squeeze` of its width."""
    left, top, right, bottom = font.getbbox(char)
    side = int(max(right - left, bottom - top, font.size) * 1.2)
    glyph = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(glyph)
    draw.text(((side - (right - left)) / 2 - left, (side - (bottom - top)) / 2 - top), char, font=font,
              fill=SEAL_RED)
    if squeeze < 1:
        narrow = max(1, round(side * squeeze))
        condensed = Image.new("RGBA", (side, side), (0, 0, 0, 0))
        condensed.paste(glyph.resize((narrow, side), Image.Resampling.LANCZOS), ((side - narrow) // 2, 0))
        glyph = condensed
    return glyph


def _star(centre: tuple[float, float], radius: float) -> list[tuple[float, float]]:
    """The ten corners of a five-pointed star, one point straight up."""
    inner = radius * math.sin(math.radians(18)) / math.sin(math.radians(126))
    cx, cy = centre
    corners = []
    for i in range(10):
        r = radius if i % 2 == 0 else inner
        angle = math.radians(-90 + 36 * i)
        corners.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return corners


def _arc_text(image: Image.Image, text: str, *, centre: float, rim: float, scale: int) -> None:
    """Set `text` clockwise along the upper arc inside radius `rim`, each character upright towards the rim.

    Like a carved seal: at most 220° of the circle, characters condensed rather than shrunk when the name is
    long, and shrunk only when condensing is not enough.
    """
    count = len(text)
    step = min(30.0, 220.0 / (count - 1)) if count > 1 else 0.0
    size = 50.0 * scale
    squeeze = 1.0
    if count > 1:
        radius = rim - size * 0.6
        room = radius * math.radians(step) * 0.92  # arc length per character, with a little air
        squeeze = min(1.0, room / size)
        if squeeze < 0.55:
            size, squeeze = room / 0.55, 0.55
    radius = rim - size * 0.6
    font = _font(round(size))
    start = -step * (count - 1) / 2
    for i, char in enumerate(text):
        angle = start + step * i  # degrees clockwise from twelve o'clock
        glyph = _glyph(char, font, squeeze).rotate(-angle, resample=Image.Resampling.BICUBIC, expand=True)
        x = centre + radius * math.sin(math.radians(angle))
        y = centre - radius * math.cos(math.radians(angle))
        image.alpha_composite(glyph, (round(x - glyph.width / 2), round(y - glyph.height / 2)))


@functools.lru_cache(maxsize=256)
def generated_seal_png(name: str, purpose: str = SEAL_PURPOSE) -> bytes:
    """A round red seal for `name` as a transparent PNG of SEAL_PIXELS square."""
    scale = _SUPERSAMPLE
    side = SEAL_PIXELS * scale
    centre = side / 2
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    ring = 12 * scale
    outer = side / 2 - 6 * scale
    draw.ellipse((centre - outer, centre - outer, centre + outer, centre + outer), outline=SEAL_RED, width=ring)
    draw.polygon(_star((centre, centre - 4 * scale), 60 * scale), fill=SEAL_RED)
    _arc_text(image, name, centre=centre, rim=outer - ring - 8 * scale, scale=scale)

    if purpose:
        purpose_font = _font(27 * scale)
        left, top, right, bottom = purpose_font.getbbox(purpose)
        draw.text((centre - (right - left) / 2 - left, centre + 84 * scale - top), purpose, font=purpose_font,
                  fill=SEAL_RED)

    image = image.resize((SEAL_PIXELS, SEAL_PIXELS), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _uploaded_seal(department: Department) -> tuple[str, bytes] | None:
    """The department's uploaded seal as (MIME type, bytes), or None if it has none or it is not an image."""
    if not department.seal:
        return None
    try:
        with department.seal.open("rb") as file:
            data = file.read()
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            mime = UPLOADED_SEAL_FORMATS.get(image.format or "")
            oversized = image.width * image.height > MAX_UPLOADED_SEAL_PIXELS
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.warning("seal of department %s is unreadable; drawing one", department.pk, exc_info=True)
        return None
    if mime is None or oversized:
        logger.warning("seal of department %s is not a PNG/JPEG/GIF/WebP image of at most %s pixels; drawing one",
                       department.pk, MAX_UPLOADED_SEAL_PIXELS)
        return None
    return mime, data


def seal_data_uri(department: Department) -> str:
    """The department's seal as a `data:` URI for an `<img>` in a PDF."""
    uploaded = _uploaded_seal(department)
    mime, data = uploaded if uploaded else ("image/png", generated_seal_png(department.name))
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
