"""ICC colour profiles written here, byte by byte (ICC.1:2001-04, version 2), for the tests
of colour conversion: Pillow makes only sRGB, Lab and XYZ profiles, and a camera's photo
comes in Adobe RGB or Display P3. A matrix/TRC display profile is short: a header, a tag
table, the three colorants (D50, as the profile connection space wants them), a white
point and a tone curve per channel; a grey one, a white point and one curve."""

from __future__ import annotations

import struct
from collections.abc import Sequence

XYZ = tuple[float, float, float]
D50: XYZ = (0.9642, 1.0, 0.8249)

# Display P3 (Apple's profile): its primaries adapted to D50.
P3_COLORANTS: tuple[XYZ, XYZ, XYZ] = (
    (0.5151, 0.2412, -0.0011),
    (0.2919, 0.6922, 0.0419),
    (0.1572, 0.0666, 0.7841),
)
# sRGB (as LittleCMS builds it, which is what Pillow's ImageCms writes to).
SRGB_COLORANTS: tuple[XYZ, XYZ, XYZ] = (
    (0.436041, 0.222485, 0.013920),
    (0.385113, 0.716905, 0.097067),
    (0.143046, 0.060610, 0.714173),
)


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(value: XYZ) -> bytes:
    return b"XYZ \0\0\0\0" + b"".join(_s15(v) for v in value)


def _curve(gamma: float) -> bytes:
    return b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256)) + b"\0\0"


def _description(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\0"
    return (
        b"desc\0\0\0\0"
        + struct.pack(">I", len(ascii_text))
        + ascii_text
        + struct.pack(">II", 0, 0)  # no Unicode description
        + struct.pack(">HB", 0, 0)
        + b"\0" * 67  # no ScriptCode description
    )


def _profile(space: bytes, tags: Sequence[tuple[bytes, bytes]]) -> bytes:
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    entries, data = [], b""
    for signature, body in tags:
        padded = body + b"\0" * (-len(body) % 4)
        entries.append(struct.pack(">4sII", signature, offset + len(data), len(body)))
        data += padded
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + b"\0\0\0\0"  # preferred CMM
        + struct.pack(">I", 0x02100000)  # version 2.1
        + b"mntr"
        + space
        + b"XYZ "
        + struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"\0" * 4  # platform
        + b"\0" * 4  # flags
        + b"\0" * 8  # manufacturer, model
        + b"\0" * 8  # attributes
        + struct.pack(">I", 0)  # perceptual
        + b"".join(_s15(v) for v in D50)
        + b"\0" * 4  # creator
        + b"\0" * 16  # id
        + b"\0" * 28
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + b"".join(entries) + data


def rgb_profile(
    colorants: tuple[XYZ, XYZ, XYZ], gamma: float = 2.2, name: str = "Test RGB"
) -> bytes:
    red, green, blue = colorants
    curve = _curve(gamma)
    return _profile(
        b"RGB ",
        [
            (b"desc", _description(name)),
            (b"wtpt", _xyz(D50)),
            (b"rXYZ", _xyz(red)),
            (b"gXYZ", _xyz(green)),
            (b"bXYZ", _xyz(blue)),
            (b"rTRC", curve),
            (b"gTRC", curve),
            (b"bTRC", curve),
        ],
    )


def grey_profile(gamma: float, name: str = "Test grey") -> bytes:
    return _profile(
        b"GRAY",
        [(b"desc", _description(name)), (b"wtpt", _xyz(D50)), (b"kTRC", _curve(gamma))],
    )


def srgb_from(colorants: tuple[XYZ, XYZ, XYZ], gamma: float, pixel: Sequence[int]) -> list[int]:
    """What `pixel`, in the space of `colorants` with a pure power curve, is in sRGB: through
    XYZ (D50) by the two matrices, as a colour-managed program converts it. Computed here
    without LittleCMS, to check what the platform stored."""
    linear = [(v / 255) ** gamma for v in pixel]
    xyz = [sum(colorants[c][i] * linear[c] for c in range(3)) for i in range(3)]
    m = SRGB_COLORANTS
    # Solve m^T · rgb = xyz (Cramer's rule: three unknowns).
    a = [[m[c][i] for c in range(3)] for i in range(3)]

    def det(x: list[list[float]]) -> float:
        return (
            x[0][0] * (x[1][1] * x[2][2] - x[1][2] * x[2][1])
            - x[0][1] * (x[1][0] * x[2][2] - x[1][2] * x[2][0])
            + x[0][2] * (x[1][0] * x[2][1] - x[1][1] * x[2][0])
        )

    whole = det(a)
    rgb = []
    for c in range(3):
        replaced = [[xyz[i] if j == c else a[i][j] for j in range(3)] for i in range(3)]
        rgb.append(min(max(det(replaced) / whole, 0.0), 1.0))
    return [round(255 * _srgb_encode(v)) for v in rgb]


def _srgb_encode(v: float) -> float:
    return 12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055
