"""Product photos drawn locally with Pillow: a studio backdrop, a soft shadow and the package.

Each shape is a small drawing function on a 1200 px canvas that is reduced to 600 px at the end, which
gives smooth edges without the cost of a real anti-aliasing pass. Everything is seeded from the SKU, so
the same product always gets the same picture.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from random import Random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE = 600  # the saved JPEG
SCALE = 2  # drawn at twice the size, then reduced
W = SIZE * SCALE
FLOOR = 1010  # y of the surface the package stands on (canvas coordinates)
JPEG_QUALITY = 82

RGB = tuple[int, int, int]
Box = tuple[float, float, float, float]

PAPER: RGB = (250, 247, 240)
INK: RGB = (34, 34, 38)
WHITE: RGB = (255, 255, 255)
SILVER: RGB = (196, 198, 204)
GOLD: RGB = (201, 168, 76)

_FONT_FILES = {
    True: ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
           "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    False: ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
}


@cache
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONT_FILES[bold]:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def hex_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """`a` moved a fraction `t` of the way towards `b`."""
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def darker(c: RGB, t: float = 0.25) -> RGB:
    return mix(c, (0, 0, 0), t)


def lighter(c: RGB, t: float = 0.25) -> RGB:
    return mix(c, WHITE, t)


def ink_on(c: RGB) -> RGB:
    """Dark text on light colours, white text on dark ones."""
    luminance = (0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]) / 255
    return INK if luminance > 0.62 else WHITE


def alpha(c: RGB, a: int) -> tuple[int, int, int, int]:
    return (c[0], c[1], c[2], a)


@dataclass
class Pen:
    """What every shape needs: the canvas, the colours and the words to print."""

    d: ImageDraw.ImageDraw
    color: RGB
    accent: RGB
    brand: str
    label: str
    variant: str
    rng: Random

    # -- text ---------------------------------------------------------------------------------------------

    def fit(self, text: str, max_w: float, size: int, bold: bool = True):
        """The font at `size`, or smaller until `text` fits `max_w`."""
        size = int(size)
        while True:
            font = _font(size, bold)
            width = self.d.textlength(text, font=font)
            if width <= max_w or size <= 14:
                return font
            size = max(14, min(size - 1, int(size * max_w / width)))

    def text(self, cx: float, cy: float, text: str, max_w: float, size: int, fill: RGB,
             bold: bool = True) -> None:
        """One line centred on (cx, cy), shrunk until it fits `max_w`."""
        font = self.fit(text, max_w, size, bold)
        left, top, right, bottom = self.d.textbbox((0, 0), text, font=font)
        self.d.text((cx - (left + right) / 2, cy - (top + bottom) / 2), text, font=font, fill=fill)

    def brand_lines(self, max_w: float, size: int) -> list[str]:
        """The brand on one line if it fits at a readable size, else split over two."""
        words = self.brand.split()
        if len(words) == 1 or self.d.textlength(self.brand, font=_font(size, True)) <= max_w * 1.15:
            return [self.brand]
        cut = max(1, len(words) // 2)
        return [" ".join(words[:cut]), " ".join(words[cut:])]

    def brand_text(self, cx: float, cy: float, max_w: float, size: int, fill: RGB) -> None:
        """The brand name centred on (cx, cy), on one or two lines."""
        lines = self.brand_lines(max_w, size)
        font = min((self.fit(line, max_w, size) for line in lines), key=lambda f: getattr(f, "size", 0))
        step = getattr(font, "size", size) * 1.15
        for i, line in enumerate(lines):
            left, top, right, bottom = self.d.textbbox((0, 0), line, font=font)
            y = cy + (i - (len(lines) - 1) / 2) * step
            self.d.text((cx - (left + right) / 2, y - (top + bottom) / 2), line, font=font, fill=fill)

    def panel(self, box: Box, *, paper: RGB = PAPER, radius: int = 18, brand_size: int = 56,
              label_size: int = 40, outline: RGB | None = None) -> None:
        """A printed label: brand above, product label below, sized to the panel's height."""
        x0, y0, x1, y1 = box
        self.d.rounded_rectangle(box, radius=radius, fill=paper, outline=outline, width=4 if outline else 0)
        w, h = x1 - x0, y1 - y0
        ink = ink_on(paper)
        brand_ink = self.color if ink == INK and _contrast(self.color, paper) else ink
        label_size = int(min(label_size, h * 0.19))
        if len(self.brand_lines(w * 0.86, int(min(brand_size, h * 0.3)))) == 1:
            self.brand_text((x0 + x1) / 2, y0 + h * 0.38, w * 0.86, int(min(brand_size, h * 0.3)), brand_ink)
            label_y = y0 + h * 0.74
        else:
            self.brand_text((x0 + x1) / 2, y0 + h * 0.34, w * 0.86, int(min(brand_size, h * 0.22)), brand_ink)
            label_y = y0 + h * 0.80
        self.text((x0 + x1) / 2, label_y, self.label, w * 0.84, label_size, ink, bold=False)

    def gloss(self, box: Box) -> None:
        """Highlight on the left and shade on the right: reads as a rounded surface."""
        x0, y0, x1, y1 = box
        w = x1 - x0
        self.d.rectangle((x0 + w * 0.10, y0, x0 + w * 0.20, y1), fill=(255, 255, 255, 46))
        self.d.rectangle((x1 - w * 0.14, y0, x1, y1), fill=(0, 0, 0, 34))


def _contrast(a: RGB, b: RGB) -> bool:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) > 240


# -- shapes ---------------------------------------------------------------------------------------------------
# Each draws one package standing on FLOOR, within the extent listed in _EXTENTS.


def _can(p: Pen, x0: float = 370, x1: float = 830, top: float = 330, short: bool = False) -> None:
    bottom = FLOOR - 12
    ry = (x1 - x0) * 0.11
    if short:
        top = 600
    p.d.ellipse((x0, bottom - ry, x1, bottom + ry), fill=darker(p.color, 0.35))
    p.d.rectangle((x0, top, x1, bottom), fill=p.color)
    mid = (top + bottom) / 2
    band = (bottom - top) * (0.24 if not short else 0.34)
    p.panel((x0, mid - band * 0.45, x1, mid + band * 1.05), radius=0,
            brand_size=60 if not short else 50, label_size=44 if not short else 36)
    p.d.rectangle((x0, mid + band * 1.05, x1, mid + band * 1.05 + 22), fill=p.accent)
    if not short:
        cx, cy = (x0 + x1) / 2, top + (mid - band * 0.45 - top) / 2 + 10
        p.d.ellipse((cx - 62, cy - 62, cx + 62, cy + 62), fill=p.accent)
        p.d.ellipse((cx - 44, cy - 44, cx + 44, cy + 44), outline=ink_on(p.accent), width=6)
    p.gloss((x0, top, x1, bottom))
    # the lid
    p.d.rectangle((x0 - 6, top - 34, x1 + 6, top + 8), fill=darker(SILVER, 0.18))
    p.d.ellipse((x0 - 6, top - 34 - ry, x1 + 6, top - 34 + ry), fill=SILVER)
    p.d.ellipse((x0 + 30, top - 34 - ry + 12, x1 - 30, top - 34 + ry - 12), outline=darker(SILVER, 0.25), width=5)


def _small_can(p: Pen) -> None:
    _can(p, 410, 790, short=True)


def _wine_bottle(p: Pen) -> None:
    glass = {"white_wine": (150, 162, 92), "sparkling": (38, 72, 44)}.get(p.variant, (30, 38, 28))
    x0, x1, cx = 465, 735, 600
    body_top = 500
    p.d.rounded_rectangle((x0, body_top, x1, FLOOR), radius=34, fill=glass)
    p.d.ellipse((x0, body_top - 130, x1, body_top + 120), fill=glass)
    p.d.rectangle((cx - 42, 150, cx + 42, body_top - 60), fill=glass)
    foil_end = 360 if p.variant == "sparkling" else 300
    foil = GOLD if p.variant == "sparkling" else p.color
    p.d.rounded_rectangle((cx - 48, 140, cx + 48, foil_end), radius=10, fill=foil)
    p.d.rectangle((cx - 48, foil_end - 26, cx + 48, foil_end - 16), fill=p.accent)
    p.d.rectangle((x0 + 26, body_top - 60, x0 + 50, FLOOR - 40), fill=(255, 255, 255, 40))
    p.panel((x0 + 14, 650, x1 - 14, 900), paper=(246, 240, 224), radius=6, brand_size=44, label_size=34,
            outline=p.accent)


def _dropper(p: Pen) -> None:
    x0, x1 = 440, 760
    glass = mix(p.color, WHITE, 0.25)
    p.d.rounded_rectangle((x0, 560, x1, FLOOR), radius=46, fill=glass)
    p.d.rounded_rectangle((x0 + 60, 500, x1 - 60, 580), radius=12, fill=GOLD)
    p.d.rounded_rectangle((555, 250, 645, 510), radius=44, fill=(38, 38, 40))
    p.panel((x0 + 18, 680, x1 - 18, 900), radius=10, brand_size=46, label_size=36)
    p.gloss((x0, 560, x1, FLOOR))


def _cosmetic_bottle(p: Pen) -> None:
    x0, x1 = 430, 770
    p.d.rounded_rectangle((x0, 420, x1, FLOOR), radius=70, fill=p.color)
    if p.rng.random() < 0.5:  # pump
        p.d.rectangle((560, 350, 640, 430), fill=p.accent)
        p.d.rectangle((588, 250, 612, 360), fill=darker(p.accent, 0.2))
        p.d.rounded_rectangle((540, 220, 660, 270), radius=14, fill=p.accent)
        p.d.rectangle((650, 232, 730, 256), fill=p.accent)
    else:  # screw cap
        p.d.rounded_rectangle((520, 260, 680, 430), radius=18, fill=p.accent)
    p.panel((x0 + 24, 580, x1 - 24, 860), radius=14, brand_size=50, label_size=38)
    p.gloss((x0, 440, x1, FLOOR - 20))


def _jar(p: Pen) -> None:
    x0, x1 = 370, 830
    body = lighter(p.color, 0.78)
    p.d.rounded_rectangle((x0, 640, x1, FLOOR), radius=50, fill=body)
    p.d.rounded_rectangle((x0 - 10, 540, x1 + 10, 670), radius=22, fill=p.color)
    for x in range(int(x0 + 10), int(x1), 26):
        p.d.line((x, 548, x, 662), fill=darker(p.color, 0.18), width=4)
    p.panel((x0 + 30, 720, x1 - 30, 950), paper=body, radius=10, brand_size=54, label_size=40)
    p.gloss((x0, 680, x1, FLOOR - 20))


def _honey_jar(p: Pen) -> None:
    x0, x1 = 390, 810
    honey = (214, 142, 36)
    p.d.rounded_rectangle((x0, 520, x1, FLOOR), radius=80, fill=honey)
    p.d.rectangle((450, 470, 750, 540), fill=lighter(honey, 0.25))
    p.d.rounded_rectangle((430, 390, 770, 490), radius=16, fill=p.color)
    for x in range(440, 770, 24):
        p.d.line((x, 398, x, 482), fill=darker(p.color, 0.2), width=4)
    p.d.ellipse((430, 610, 770, 930), fill=PAPER, outline=p.color, width=8)
    p.brand_text(600, 730, 290, 48, darker(p.color, 0.3))
    p.text(600, 820, p.label, 250, 40, INK, bold=False)
    p.d.rectangle((x0 + 30, 560, x0 + 60, FLOOR - 40), fill=(255, 255, 255, 60))


def _pill_bottle(p: Pen) -> None:
    x0, x1 = 420, 780
    white = (246, 246, 244)
    p.d.rounded_rectangle((x0, 480, x1, FLOOR), radius=44, fill=white)
    p.d.rounded_rectangle((x0 + 30, 430, x1 - 30, 530), radius=40, fill=white)
    p.d.rounded_rectangle((x0 + 44, 320, x1 - 44, 450), radius=14, fill=p.color)
    for x in range(int(x0 + 56), int(x1 - 44), 20):
        p.d.line((x, 326, x, 444), fill=darker(p.color, 0.2), width=5)
    p.d.rectangle((x0, 590, x1, 900), fill=p.color)
    p.d.rectangle((x0, 870, x1, 900), fill=p.accent)
    p.brand_text(600, 680, 320, 52, ink_on(p.color))
    p.text(600, 790, p.label, 300, 44, ink_on(p.color), bold=False)
    p.gloss((x0, 480, x1, FLOOR - 10))


def _box(p: Pen, box: Box = (320, 420, 790, FLOOR), depth: tuple[float, float] = (110, -70)) -> None:
    x0, y0, x1, y1 = box
    dx, dy = depth
    p.d.polygon([(x0, y0), (x1, y0), (x1 + dx, y0 + dy), (x0 + dx, y0 + dy)], fill=lighter(p.color, 0.22))
    p.d.polygon([(x1, y0), (x1 + dx, y0 + dy), (x1 + dx, y1 + dy), (x1, y1)], fill=darker(p.color, 0.28))
    p.d.rectangle((x0, y0, x1, y1), fill=p.color)
    h = y1 - y0
    p.d.rectangle((x0, y0, x1, y0 + h * 0.08), fill=p.accent)
    p.panel((x0 + 26, y0 + h * 0.28, x1 - 26, y0 + h * 0.68), radius=12,
            brand_size=int(min(58, (x1 - x0) * 0.13)), label_size=int(min(42, (x1 - x0) * 0.095)))
    p.d.rectangle((x0, y1 - h * 0.1, x1, y1 - h * 0.06), fill=p.accent)


def _bar(p: Pen) -> None:
    x0, x1, y0, y1 = 240, 960, 560, 860
    p.d.rectangle((x0 + 10, y1, x1, y1 + 34), fill=darker(p.color, 0.4))
    p.d.rounded_rectangle((x0, y0, x1, y1), radius=14, fill=p.color)
    p.d.rectangle((x0, y0, x0 + 90, y1), fill=GOLD)
    for y in range(y0 + 20, y1, 36):
        p.d.line((x0 + 10, y, x0 + 80, y + 14), fill=lighter(GOLD, 0.35), width=4)
    p.panel((x0 + 150, y0 + 50, x1 - 50, y1 - 50), radius=16, brand_size=58, label_size=46)


def _pouch(p: Pen) -> None:
    x0, x1 = 380, 820
    p.d.rounded_rectangle((x0, 330, x1, FLOOR), radius=60, fill=p.color)
    p.d.rectangle((x0 + 16, 290, x1 - 16, 350), fill=darker(p.color, 0.2))
    for x in range(int(x0 + 20), int(x1 - 16), 22):
        p.d.polygon([(x, 290), (x + 11, 278), (x + 22, 290)], fill=darker(p.color, 0.2))
    p.d.line((x0 + 16, 390, x1 - 16, 390), fill=p.accent, width=8)
    p.panel((x0 + 40, 430, x1 - 40, 690), radius=18, brand_size=54, label_size=40)
    # a window onto the contents
    p.d.rounded_rectangle((450, 740, 750, 950), radius=40, fill=(236, 226, 206))
    palette = [(196, 150, 92), (170, 120, 70), (214, 178, 120)]
    if p.variant in ("sweets", "chocolate_box"):
        palette = [(229, 57, 53), (255, 179, 0), (67, 160, 71), (142, 36, 170), (121, 85, 72)]
    elif p.variant in ("whole_milk", "skim_milk"):
        palette = [(250, 250, 246)]
    for _ in range(26):
        cx, cy = p.rng.uniform(480, 720), p.rng.uniform(770, 920)
        r = p.rng.uniform(16, 26)
        p.d.ellipse((cx - r, cy - r * 0.8, cx + r, cy + r * 0.8), fill=p.rng.choice(palette))
    p.gloss((x0, 360, x1, FLOOR - 20))


def _nappy_pack(p: Pen) -> None:
    x0, x1 = 290, 910
    p.d.rounded_rectangle((x0, 340, x1, FLOOR), radius=90, fill=(252, 252, 250))
    p.d.rounded_rectangle((x0, 340, x1, 560), radius=90, fill=p.color)
    p.d.rectangle((x0, 470, x1, 560), fill=p.color)
    p.d.rounded_rectangle((540, 362, 660, 392), radius=14, fill=darker(p.color, 0.3))
    p.brand_text(600, 480, 520, 64, ink_on(p.color))
    cx, cy, r = 600, 740, 120
    p.d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 226, 196))
    p.d.ellipse((cx - 50, cy - 30, cx - 26, cy - 6), fill=INK)
    p.d.ellipse((cx + 26, cy - 30, cx + 50, cy - 6), fill=INK)
    p.d.arc((cx - 50, cy - 20, cx + 50, cy + 60), 20, 160, fill=INK, width=8)
    p.d.ellipse((cx - 90, cy + 4, cx - 60, cy + 30), fill=(255, 183, 178))
    p.d.ellipse((cx + 60, cy + 4, cx + 90, cy + 30), fill=(255, 183, 178))
    p.text(600, 930, p.label, 420, 56, darker(p.color, 0.2))
    p.gloss((x0, 560, x1, FLOOR - 40))


def _lipstick(p: Pen) -> None:
    _box(p, (260, 430, 620, FLOOR), (80, -50))
    shade = p.color
    p.d.rounded_rectangle((730, 720, 850, FLOOR), radius=10, fill=GOLD)
    p.d.rectangle((742, 610, 838, 730), fill=lighter(GOLD, 0.3))
    p.d.polygon([(748, 620), (832, 620), (832, 500), (748, 450)], fill=shade)
    p.d.rectangle((745, 735, 835, 745), fill=darker(GOLD, 0.25))


def _compact(p: Pen) -> None:
    x0, x1 = 320, 880
    p.d.ellipse((x0, 640, x1, 960), fill=darker(p.color, 0.35))
    p.d.ellipse((x0, 600, x1, 920), fill=p.color)
    p.d.ellipse((x0 + 40, 630, x1 - 40, 890), outline=GOLD, width=6)
    p.brand_text(600, 730, 420, 56, ink_on(p.color))
    p.text(600, 810, p.label, 360, 40, ink_on(p.color), bold=False)


def _perfume(p: Pen) -> None:
    x0, x1 = 400, 800
    p.d.rounded_rectangle((x0, 500, x1, FLOOR), radius=36, fill=(228, 234, 238, 190))
    p.d.rounded_rectangle((x0 + 22, 590, x1 - 22, FLOOR - 30), radius=26, fill=alpha(lighter(p.color, 0.45), 215))
    p.d.rectangle((x0, FLOOR - 50, x1, FLOOR), fill=(240, 244, 246, 200))
    p.d.rectangle((560, 440, 640, 510), fill=GOLD)
    p.d.rounded_rectangle((470, 290, 730, 450), radius=22, fill=p.color)
    p.d.rectangle((490, 300, 520, 440), fill=(255, 255, 255, 50))
    p.panel((x0 + 70, 690, x1 - 70, 870), radius=8, brand_size=44, label_size=34)
    p.d.rectangle((x0 + 16, 520, x0 + 40, FLOOR - 20), fill=(255, 255, 255, 80))


def _tube(p: Pen) -> None:
    p.d.rounded_rectangle((525, 880, 675, FLOOR), radius=20, fill=p.accent if p.accent != WHITE else SILVER)
    p.d.polygon([(520, 890), (680, 890), (790, 330), (410, 330)], fill=p.color)
    p.d.rectangle((400, 290, 800, 340), fill=darker(p.color, 0.2))
    for x in range(410, 800, 16):
        p.d.line((x, 294, x, 336), fill=darker(p.color, 0.35), width=3)
    p.brand_text(600, 500, 330, 54, ink_on(p.color))
    p.text(600, 600, p.label, 280, 40, ink_on(p.color), bold=False)
    p.d.rectangle((600 - 190, 660, 600 + 170, 676), fill=p.accent)


def _handbag(p: Pen) -> None:
    leather = p.color
    p.d.arc((420, 250, 780, 690), 185, 355, fill=darker(leather, 0.25), width=40)
    p.d.polygon([(360, 520), (840, 520), (900, FLOOR), (300, FLOOR)], fill=leather)
    p.d.polygon([(360, 520), (840, 520), (815, 700), (385, 700)], fill=darker(leather, 0.18))
    for x in range(395, 810, 26):
        p.d.line((x, 690, x + 12, 690), fill=lighter(leather, 0.4), width=3)
    p.d.rounded_rectangle((570, 660, 630, 740), radius=10, fill=GOLD)
    p.d.line((780, 520, 820, 640), fill=(120, 110, 100), width=5)
    p.panel((720, 630, 960, 800), radius=10, brand_size=34, label_size=28)


def _tote(p: Pen) -> None:
    canvas = p.color
    strap = darker(canvas, 0.45)
    p.d.arc((420, 240, 560, 620), 180, 360, fill=strap, width=28)
    p.d.arc((640, 240, 780, 620), 180, 360, fill=strap, width=28)
    p.d.polygon([(350, 440), (850, 440), (880, FLOOR), (320, FLOOR)], fill=canvas)
    ink = ink_on(canvas)
    p.brand_text(600, 660, 440, 66, ink)
    p.text(600, 780, p.label, 380, 44, ink, bold=False)
    p.d.rectangle((350, 440, 850, 470), fill=darker(canvas, 0.12))


def _suitcase(p: Pen) -> None:
    x0, x1 = 400, 800
    p.d.rectangle((510, 180, 530, 340), fill=(90, 90, 96))
    p.d.rectangle((670, 180, 690, 340), fill=(90, 90, 96))
    p.d.rounded_rectangle((490, 160, 710, 210), radius=16, fill=(50, 50, 54))
    p.d.rounded_rectangle((x0, 330, x1, FLOOR - 30), radius=50, fill=p.color)
    for x in (470, 540, 660, 730):
        p.d.line((x, 360, x, FLOOR - 60), fill=lighter(p.color, 0.2), width=8)
    for cx in (450, 750):
        p.d.ellipse((cx - 30, FLOOR - 50, cx + 30, FLOOR + 10), fill=(40, 40, 44))
    p.d.line((620, 330, 640, 560), fill=(120, 110, 100), width=5)
    p.panel((500, 560, 780, 740), radius=10, brand_size=40, label_size=32)


def _wallet(p: Pen) -> None:
    x0, x1, y0, y1 = 300, 900, 520, 880
    leather = p.color
    p.d.rounded_rectangle((x0, y0, x1, y1), radius=36, fill=leather)
    p.d.rounded_rectangle((x0, y0, x1, y0 + 150), radius=36, fill=darker(leather, 0.18))
    p.d.ellipse((570, y0 + 120, 630, y0 + 180), fill=GOLD)
    for x in range(x0 + 30, x1 - 30, 24):
        p.d.line((x, y1 - 26, x + 12, y1 - 26), fill=lighter(leather, 0.4), width=3)
    light = lighter(leather, 0.55)
    p.brand_text(600, y0 + 240, 480, 54, light)
    p.text(600, y0 + 310, p.label, 400, 38, light, bold=False)


def _watch(p: Pen) -> None:
    cx, cy = 600, 600
    strap = darker(p.color, 0.1)
    p.d.rounded_rectangle((510, 90, 690, 470), radius=24, fill=strap)
    p.d.rounded_rectangle((510, 730, 690, 1110), radius=24, fill=strap)
    for y in (150, 210, 990, 1050):
        p.d.line((520, y, 680, y), fill=darker(strap, 0.3), width=4)
    p.d.rounded_rectangle((818, 570, 862, 630), radius=8, fill=SILVER)
    p.d.ellipse((cx - 230, cy - 230, cx + 230, cy + 230), fill=SILVER)
    p.d.ellipse((cx - 216, cy - 216, cx + 216, cy + 216), fill=darker(SILVER, 0.2))
    dial = p.color if p.rng.random() < 0.6 else (244, 242, 236)
    p.d.ellipse((cx - 196, cy - 196, cx + 196, cy + 196), fill=dial)
    mark = ink_on(dial)
    for i in range(12):
        a = math.radians(i * 30)
        r0, r1 = (150, 184) if i % 3 else (136, 184)
        p.d.line((cx + r0 * math.sin(a), cy - r0 * math.cos(a), cx + r1 * math.sin(a), cy - r1 * math.cos(a)),
                 fill=mark, width=10 if i % 3 == 0 else 5)
    p.text(cx, cy - 84, p.brand.upper(), 210, 32, mark)
    p.text(cx, cy + 88, p.label, 190, 26, mark, bold=False)
    for angle, length, width in ((-60, 100, 14), (60, 160, 9)):  # ten past ten
        a = math.radians(angle)
        p.d.line((cx, cy, cx + length * math.sin(a), cy - length * math.cos(a)), fill=mark, width=width)
    p.d.ellipse((cx - 14, cy - 14, cx + 14, cy + 14), fill=p.accent)


def _hair_dryer(p: Pen) -> None:
    body = p.color
    p.d.polygon([(530, 560), (650, 560), (700, 960), (580, 985)], fill=darker(body, 0.1))
    p.d.ellipse((600, 700, 640, 740), fill=p.accent)
    p.d.ellipse((610, 780, 650, 820), fill=lighter(body, 0.3))
    p.d.rounded_rectangle((300, 380, 860, 590), radius=104, fill=body)
    p.d.polygon([(840, 420), (950, 446), (950, 524), (840, 550)], fill=darker(body, 0.4))
    p.d.ellipse((270, 370, 420, 600), fill=darker(body, 0.3))
    for y in range(410, 570, 26):
        p.d.line((300, y, 390, y), fill=darker(body, 0.55), width=6)
    p.d.rectangle((420, 400, 840, 418), fill=(255, 255, 255, 50))
    p.brand_text(620, 470, 360, 50, ink_on(body))
    p.text(620, 540, p.label, 320, 34, ink_on(body), bold=False)


def _shaver(p: Pen) -> None:
    _box(p, (240, 460, 590, FLOOR), (80, -50))
    body = darker(p.color, 0.05)
    p.d.rounded_rectangle((720, 480, 900, FLOOR), radius=70, fill=body)
    p.d.rounded_rectangle((690, 330, 930, 480), radius=36, fill=SILVER)
    for y in (360, 400, 440):
        p.d.line((710, y, 910, y), fill=darker(SILVER, 0.35), width=6)
    p.d.ellipse((780, 640, 840, 700), fill=p.accent)
    p.d.rectangle((735, 500, 755, FLOOR - 40), fill=(255, 255, 255, 50))


def _toothbrush(p: Pen) -> None:
    _box(p, (240, 400, 600, FLOOR), (80, -50))
    body = lighter(p.color, 0.1)
    p.d.ellipse((690, 930, 910, FLOOR + 20), fill=darker(body, 0.2))
    p.d.rounded_rectangle((755, 420, 845, 960), radius=40, fill=body)
    p.d.polygon([(768, 430), (832, 430), (815, 230), (785, 230)], fill=(246, 246, 246))
    p.d.rounded_rectangle((778, 150, 822, 250), radius=16, fill=(246, 246, 246))
    p.d.rectangle((754, 165, 778, 235), fill=lighter(p.accent, 0.3))
    p.d.ellipse((780, 560, 820, 600), fill=p.accent)


def _coffee_machine(p: Pen) -> None:
    body = p.color
    x0, x1 = 330, 870
    p.d.rounded_rectangle((x0, 270, x1, FLOOR), radius=30, fill=body)
    p.d.rectangle((x0 + 20, 250, x1 - 20, 290), fill=SILVER)
    p.d.rounded_rectangle((x0 + 40, 320, x1 - 40, 520), radius=18, fill=darker(body, 0.3))
    p.brand_text(600, 390, 420, 54, WHITE)
    p.text(600, 465, p.label, 380, 36, lighter(body, 0.6), bold=False)
    p.d.rectangle((x0 + 80, 570, x1 - 80, 920), fill=(44, 44, 46))
    p.d.rectangle((530, 570, 670, 630), fill=SILVER)
    p.d.rounded_rectangle((600, 620, 900, 660), radius=16, fill=(30, 30, 30))
    p.d.rounded_rectangle((550, 790, 650, 880), radius=10, fill=(250, 250, 250))
    p.d.arc((630, 805, 680, 860), 270, 90, fill=(250, 250, 250), width=8)
    p.d.rectangle((x0 + 60, 900, x1 - 60, 940), fill=SILVER)
    p.d.ellipse((790, 330, 830, 370), fill=p.accent)
    p.gloss((x0, 540, x1, FLOOR - 10))


def _juicer(p: Pen) -> None:
    body = p.color
    p.d.rounded_rectangle((400, 760, 800, FLOOR), radius=40, fill=body)
    p.d.rounded_rectangle((450, 420, 750, 780), radius=50, fill=(226, 236, 240, 200))
    for _ in range(14):
        cx, cy = p.rng.uniform(490, 710), p.rng.uniform(600, 740)
        r = p.rng.uniform(18, 30)
        p.d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=p.rng.choice([(255, 152, 0), (251, 192, 45), (124, 179, 66)]))
    p.d.rounded_rectangle((470, 360, 730, 430), radius=14, fill=(214, 214, 220))
    p.d.rectangle((560, 210, 640, 370), fill=(214, 214, 220))
    p.d.polygon([(750, 600), (830, 618), (830, 648), (750, 660)], fill=(214, 214, 220))
    p.brand_text(600, 850, 360, 48, ink_on(body))
    p.text(600, 930, p.label, 320, 34, ink_on(body), bold=False)


def _bowl(p: Pen) -> None:
    _box(p, (250, 400, 620, 880), (80, -50))
    color = lighter(p.color, 0.1)
    p.d.ellipse((600, 960, 960, 1040), fill=darker(color, 0.25))
    p.d.chord((620, 760, 940, 1030), 0, 180, fill=color)
    p.d.ellipse((620, 870, 940, 920), fill=lighter(color, 0.3))
    p.d.ellipse((870, 640, 940, 700), fill=p.accent)
    p.d.line((900, 690, 760, 960), fill=p.accent, width=18)


def _plush(p: Pen) -> None:
    fur = p.color
    light = lighter(fur, 0.35)
    p.d.ellipse((400, 600, 800, FLOOR), fill=fur)
    p.d.ellipse((360, 640, 470, 820), fill=fur)
    p.d.ellipse((730, 640, 840, 820), fill=fur)
    p.d.ellipse((420, 900, 560, FLOOR + 10), fill=fur)
    p.d.ellipse((640, 900, 780, FLOOR + 10), fill=fur)
    p.d.ellipse((450, 930, 530, 1000), fill=light)
    p.d.ellipse((670, 930, 750, 1000), fill=light)
    p.d.ellipse((420, 280, 520, 380), fill=fur)
    p.d.ellipse((680, 280, 780, 380), fill=fur)
    p.d.ellipse((445, 305, 495, 355), fill=light)
    p.d.ellipse((705, 305, 755, 355), fill=light)
    p.d.ellipse((440, 310, 760, 630), fill=fur)
    p.d.ellipse((540, 480, 660, 580), fill=light)
    p.d.ellipse((582, 486, 618, 514), fill=INK)
    p.d.ellipse((530, 420, 556, 446), fill=INK)
    p.d.ellipse((644, 420, 670, 446), fill=INK)
    p.d.arc((570, 500, 630, 560), 30, 150, fill=INK, width=5)
    p.d.ellipse((520, 620, 680, 660), fill=p.accent)  # ribbon
    p.d.line((760, 360, 860, 440), fill=(150, 140, 130), width=4)
    p.panel((760, 430, 960, 570), radius=10, brand_size=34, label_size=28)


def _stroller(p: Pen) -> None:
    frame = (60, 60, 64)
    p.d.line((430, 940, 760, 560), fill=frame, width=16)
    p.d.line((770, 940, 520, 620), fill=frame, width=16)
    p.d.line((760, 560, 880, 300), fill=frame, width=16)
    p.d.rounded_rectangle((850, 280, 930, 320), radius=14, fill=(40, 40, 40))
    p.d.polygon([(420, 560), (780, 560), (750, 820), (450, 820)], fill=p.color)
    p.d.pieslice((380, 330, 820, 790), 180, 290, fill=darker(p.color, 0.25))
    for cx in (430, 770):
        p.d.ellipse((cx - 66, 874, cx + 66, FLOOR + 6), fill=(40, 40, 44))
        p.d.ellipse((cx - 26, 914, cx + 26, 966), fill=SILVER)
    p.d.line((880, 310, 900, 400), fill=(150, 140, 130), width=4)
    p.panel((800, 400, 1000, 540), radius=10, brand_size=34, label_size=28)


def _sunglasses(p: Pen) -> None:
    _box(p, (300, 360, 800, 760), (100, -60))
    frame = p.color
    lens = (40, 52, 62, 235)
    p.d.line((330, 820, 280, 760), fill=frame, width=14)
    p.d.line((870, 820, 920, 760), fill=frame, width=14)
    for x0 in (330, 620):
        p.d.rounded_rectangle((x0, 780, x0 + 250, 960), radius=70, fill=lens, outline=frame, width=14)
        p.d.line((x0 + 40, 810, x0 + 90, 860), fill=(255, 255, 255, 70), width=10)
    p.d.arc((560, 770, 640, 840), 200, 340, fill=frame, width=14)


SHAPES: dict[str, Callable[[Pen], None]] = {
    "can": _can, "small_can": _small_can, "wine_bottle": _wine_bottle, "dropper": _dropper,
    "cosmetic_bottle": _cosmetic_bottle, "jar": _jar, "honey_jar": _honey_jar, "pill_bottle": _pill_bottle,
    "box": _box, "bar": _bar, "pouch": _pouch, "nappy_pack": _nappy_pack, "lipstick": _lipstick,
    "compact": _compact, "perfume": _perfume, "tube": _tube, "handbag": _handbag, "tote": _tote,
    "suitcase": _suitcase, "wallet": _wallet, "watch": _watch, "hair_dryer": _hair_dryer, "shaver": _shaver,
    "toothbrush": _toothbrush, "coffee_machine": _coffee_machine, "juicer": _juicer, "bowl": _bowl,
    "plush": _plush, "stroller": _stroller, "sunglasses": _sunglasses,
}


# -- the scene ------------------------------------------------------------------------------------------------

# Where each drawing touches the surface: (left, right, y). The shadow is laid before the drawing.
_EXTENTS: dict[str, tuple[float, float, float]] = {
    "can": (370, 830, FLOOR), "small_can": (410, 790, FLOOR), "wine_bottle": (465, 735, FLOOR),
    "dropper": (440, 760, FLOOR), "cosmetic_bottle": (430, 770, FLOOR), "jar": (360, 840, FLOOR),
    "honey_jar": (390, 810, FLOOR), "pill_bottle": (420, 780, FLOOR), "box": (320, 900, FLOOR),
    "bar": (240, 960, 894), "pouch": (380, 820, FLOOR), "nappy_pack": (290, 910, FLOOR),
    "lipstick": (260, 860, FLOOR), "compact": (320, 880, 950), "perfume": (400, 800, FLOOR),
    "tube": (500, 700, FLOOR), "handbag": (300, 900, FLOOR), "tote": (320, 880, FLOOR),
    "suitcase": (400, 800, FLOOR), "wallet": (300, 900, 880), "watch": (500, 700, 1110),
    "hair_dryer": (520, 720, 985), "shaver": (240, 930, FLOOR), "toothbrush": (240, 910, FLOOR),
    "coffee_machine": (330, 870, FLOOR), "juicer": (400, 800, FLOOR), "bowl": (250, 960, 1030),
    "plush": (380, 820, FLOOR), "stroller": (360, 840, FLOOR), "sunglasses": (280, 920, 960),
}


def _backdrop(top: RGB, bottom: RGB, shadow: tuple[float, float, float]) -> Image.Image:
    """Studio backdrop (a vertical gradient) with a soft contact shadow where the package stands.

    The gradient is one column stretched sideways, and the shadow is blurred small and scaled up only
    over its own box: both cost next to nothing next to full-canvas filters.
    """
    strip = Image.new("RGB", (1, W))
    strip.putdata([mix(top, bottom, y / (W - 1)) for y in range(W)])
    canvas = strip.resize((W, W), Image.Resampling.NEAREST)
    x0, x1, y = shadow
    box = (int(x0) - 60, int(y) - 70, int(x1) + 60, int(y) + 74)
    width, height = box[2] - box[0], box[3] - box[1]
    q = 8
    mask = Image.new("L", (width // q, height // q), 0)
    ImageDraw.Draw(mask).ellipse((50 / q, 44 / q, (width - 50) / q, (height - 44) / q), fill=120)
    mask = mask.filter(ImageFilter.GaussianBlur(3)).resize((width, height), Image.Resampling.BILINEAR)
    canvas.paste((70, 60, 55), box, mask)
    return canvas


def render(path: Path, *, shape: str, variant: str, brand: str, label: str, color: str, accent: str,
           seed: str, view: int = 1) -> None:
    """Draw one product photo and save it as JPEG: view 1 is the pack shot, view 2 a closer, warmer shot."""
    c, a = hex_rgb(color), hex_rgb(accent)
    if view == 1:
        top = mix(lighter(c, 0.88), (236, 238, 242), 0.4)
        bottom = mix(lighter(c, 0.94), WHITE, 0.5)
    else:
        top, bottom = (238, 230, 218), (214, 200, 182)
    canvas = _backdrop(top, bottom, _EXTENTS.get(shape, _EXTENTS["box"]))
    pen = Pen(ImageDraw.Draw(canvas, "RGBA"), c, a, brand, label, variant, Random(f"{seed}:{view}"))
    SHAPES.get(shape, _box)(pen)
    if view == 1:
        image = canvas.reduce(SCALE)
    else:
        image = canvas.crop((170, 200, 1030, 1060)).resize((SIZE, SIZE), Image.Resampling.BILINEAR)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=JPEG_QUALITY)
