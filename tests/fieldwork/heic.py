"""A real HEIC photo for the tests, small enough to read (702 bytes), and files made from it.

pi-heif, which the system decodes HEIC with, has no encoder (by design: pillow-heif's wheels bundle the GPL x265), so
no test can make a HEIC. This one was made once, in a throwaway virtualenv, with pillow-heif 1.9.0::

    image = Image.new("RGB", (64, 48), "white")                    # landscape, as the sensor saw it:
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 31, 47), fill=(200, 30, 30))             # the left half red,
    draw.rectangle((32, 0, 63, 23), fill=(30, 30, 200))            # the top right quarter blue
    exif = Image.Exif()
    exif[0x0112] = 6                                               # held upright: turn 90° clockwise to show
    exif.get_ifd(0x8769)[0x9003] = "2026:03:14 09:26:53"           # DateTimeOriginal
    image.save(buffer, "HEIF", quality=50, exif=exif.tobytes())

Shown upright it is 48×64, the top half red, the bottom right quarter blue. The damaged and sequence files are
made from it here; AVIF, which Pillow encodes itself, is made in the tests.
"""

import base64
import io

from PIL import Image

HEIC = base64.b64decode(
    "AAAAHGZ0eXBoZWljAAAAAG1pZjFoZWljbWlhZgAAAchtZXRhAAAAAAAAACFoZGxyAAAAAAAAAABwaWN0AAAAAAAAAAAAAAAA"
    "AAAAADRpbG9jAAAAAERAAAIAAQAAAAAB7AABAAAAAAAAAHwAAgAAAAACaAABAAAAAAAAAFYAAAA4aWluZgAAAAAAAgAAABVp"
    "bmZlAgAAAAABAABodmMxAAAAABVpbmZlAgAAAQACAABFeGlmAAAAAA5waXRtAAAAAAABAAABB2lwcnAAAADmaXBjbwAAAHZo"
    "dmNDAQNwAAAAkAAAAAAAHvAA/P34+AAADwNgAAEAGEABDAH//wNwAAADAJAAAAMAAAMAHroCQGEAAQAqQgEBA3AAAAMAkAAA"
    "AwAAAwAeoCCBBZbq5Ka5uAhoMCAAAAMDIAAAAwAhYgABAAZEAcFzwIkAAAATY29scm5jbHgAAQANAAaAAAAAFGlzcGUAAAAA"
    "AAAAQAAAAEAAAAAoY2xhcAAAAEAAAAABAAAAMAAAAAEAAAAAAAAAAv////AAAAACAAAAEHBpeGkAAAAAAwgICAAAAAlpcm90"
    "AwAAABlpcG1hAAAAAAAAAAEAAQaBAgMFhIYAAAAaaXJlZgAAAAAAAAAOY2RzYwACAAEAAQAAANptZGF0AAAAeCgBrxOA9SeB"
    "P//gpUf/utZ4fg7umdQ/6pB95cTf5JLc1Wu/pYMPZ2UfHlSm2FCMfCESDmfZw1VUU+Nga3idZCbvyOKSj8+YCnEAJAAPOMIL"
    "MfU0jVfaBD5MA/2PkbvSCVBWdZ0ABvJACt3OFJ4rvA8qevJl5igsQAAAAAZFeGlmAABNTQAqAAAACAACARIAAwAAAAEABgAA"
    "h2kABAAAAAEAAAAmAAAAAAABkAMAAgAAABQAAAA4AAAAADIwMjY6MDM6MTQgMDk6MjY6NTMA"
)
TAKEN = (2026, 3, 14, 9, 26, 53)
"""Its EXIF DateTimeOriginal, Beijing time."""


def damaged() -> bytes:
    """The right header (an ISO box file of brand heic), the picture's boxes cut off: as a copy that stopped."""
    return HEIC[:300] + bytes(len(HEIC) - 300)


def sequence(brand: bytes = b"hevs") -> bytes:
    """The same file with the major brand of a HEIF image sequence."""
    return HEIC[:8] + brand + HEIC[12:]


def avif(size: tuple[int, int] = (40, 30), color: str = "green") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "AVIF")
    return buffer.getvalue()
