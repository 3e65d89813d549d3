"""Image files as documents: JPG, PNG and (multi-page) TIFF scans and phone photos.

Every frame is a page to OCR; there is no text layer. A phone's EXIF orientation is applied
first, so that a photo taken sideways is read the way it is shown.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")
#: Larger images (a 600 dpi A3 scan is about 70 megapixels) are refused, not decoded.
MAX_PIXELS = 120_000_000


class UnreadableImage(Exception):
    """The file cannot be read as an image; the message says why in one sentence."""


def is_image(path: Path | str) -> bool:
    return str(path).lower().endswith(SUFFIXES)


def _open(path: Path) -> Image.Image:
    if not Path(path).exists():
        raise FileNotFoundError(path)
    try:
        image = Image.open(path)
        if image.width * image.height > MAX_PIXELS:
            image.close()
            raise UnreadableImage(
                f"the image is too large ({image.width}x{image.height} pixels); "
                "scan at 300 dpi and index that"
            )
        return image
    except Image.DecompressionBombError:  # its header claims more pixels than is safe
        raise UnreadableImage(
            f"the image claims more than {2 * Image.MAX_IMAGE_PIXELS:,} pixels, too large to "
            "open safely; scan at 300 dpi and index that"
        ) from None
    except (UnidentifiedImageError, SyntaxError, ValueError):
        raise UnreadableImage(
            "not a readable image (damaged, or another kind of file with an image name)"
        ) from None


def page_count(path: Path) -> int:
    with _open(path) as image:
        return getattr(image, "n_frames", 1)


def page_image(path: Path, page_index: int) -> Image.Image:
    """One 0-based frame, turned upright by its EXIF orientation, as grayscale."""
    with _open(path) as image:
        try:
            image.seek(page_index)
            image.load()
        except (OSError, EOFError) as err:
            raise UnreadableImage(
                f"page {page_index + 1} of the image cannot be read ({err})"
            ) from None
        return ImageOps.exif_transpose(image).convert("L")
