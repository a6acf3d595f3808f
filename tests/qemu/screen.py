"""tests/qemu/screen.py - read text off a framebuffer screenshot with the
kernel's own font (kernel/font.c), the way a person reads the screen."""
import os
import re

from harness import ROOT

HELLO_RGB = (0x55, 0xFF, 0xFF)  # light cyan, the kernel's "Hello World!"


def load_font():
    """kernel/font.c's font8x16 as {code point: 16 row bytes}."""
    glyphs = {}
    with open(os.path.join(ROOT, "kernel", "font.c")) as f:
        for line in f:
            m = re.match(r"\s*\{([^}]*)\},\s*/\*\s*0x([0-9a-fA-F]{2})", line)
            if m:
                rows = [int(v, 16) for v in m.group(1).split(",") if v.strip()]
                if len(rows) == 16:
                    glyphs[int(m.group(2), 16)] = tuple(rows)
    assert len(glyphs) >= 95, "could not parse kernel/font.c"
    return glyphs


def cell_bitmap(pixels, x0, y0, colour):
    """The 8x16 cell at (x0, y0) as row bytes: bit set where the pixel has
    `colour` (within a small tolerance, for 16/24 bpp modes)."""
    rows = []
    for y in range(16):
        bits = 0
        for x in range(8):
            p = pixels[x0 + x, y0 + y]
            if all(abs(p[i] - colour[i]) <= 8 for i in range(3)):
                bits |= 0x80 >> x
        rows.append(bits)
    return tuple(rows)


def text_in_colour(image, colour=HELLO_RGB):
    """Every text row of the screen, decoded where cells match a glyph
    drawn in `colour` (other cells become spaces)."""
    font = load_font()
    by_bitmap = {bitmap: chr(c) for c, bitmap in font.items() if 32 < c < 127}
    pixels = image.load()
    lines = []
    for row in range(image.height // 16):
        chars = []
        for col in range(image.width // 8):
            bitmap = cell_bitmap(pixels, col * 8, row * 16, colour)
            chars.append(by_bitmap.get(bitmap, " ") if any(bitmap) else " ")
        lines.append("".join(chars).rstrip())
    return lines
