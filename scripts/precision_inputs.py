"""Calibration and evaluation inputs for scripts/convert-models.py: Fashion-MNIST test images for
the demo's Fashion-MNIST models, text rendered with a 5x7 block font for PP-OCR (on noise, the
detector's map is ~0 everywhere and no comparison means anything), seeded normal noise for the
seeded-weight exports. Each returns float32 [count, *input dims] (and labels where known).
"""
import gzip
import json

import numpy as np

FASHION = "/usr/share/datasets/fashion-mnist/t10k-{}-idx{}-ubyte.gz"

# The block font of tests/zoo.test.ts ('#' = ink), 7 rows of 5 columns.
GLYPHS = {
    "B": ["####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."],
    "D": ["####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."],
    "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
    "G": [".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".###."],
    "H": ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
    "L": ["#....", "#....", "#....", "#....", "#....", "#....", "#####"],
    "O": [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
    "P": ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
    "R": ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
    "U": ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
    "W": ["#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."],
}
WORDS = ["HELLO", "WORLD", "BLUE", "ROBE", "GOLD", "HOPE", "BRED", "PLUG", "WEB"]


def fashion(meta_json: str, start: int, count: int):
    """Test images start..start+count, normalised as the model's sidecar JSON says, and labels."""
    with open(meta_json) as f:
        meta = json.load(f)
    with gzip.open(FASHION.format("images", 3), "rb") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(FASHION.format("labels", 1), "rb") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    x = (images[start:start + count].astype(np.float32) / 255.0 - meta["mean"]) / meta["std"]
    return x.reshape(count, 1, 1, 28, 28).astype(np.float32), labels[start:start + count].astype(np.int64)


def _draw(img: np.ndarray, text: str, x: int, y: int, scale: int) -> None:
    for i, ch in enumerate(text):
        for row, line in enumerate(GLYPHS[ch]):
            for col, c in enumerate(line):
                if c == "#":
                    y0, x0 = y + row * scale, x + (i * 7 + col) * scale
                    img[y0:y0 + scale, x0:x0 + scale] = 0.08


def _page(h: int, w: int, rng) -> np.ndarray:
    return (0.92 + 0.06 * rng.random((h, w))).astype(np.float32)


def _to_input(gray: np.ndarray, mean, std) -> np.ndarray:
    """Gray page -> [1, 3, H, W] normalised per channel as PaddleOCR does."""
    return np.stack([(gray - m) / s for m, s in zip(mean, std)])[None].astype(np.float32)


def text_pages(count: int, size: int, seed: int) -> np.ndarray:
    """Detector inputs: size x size pages with a few words at seeded places and scales
    (ImageNet mean/std, PP-OCR's detector normalisation)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        img = _page(size, size, rng)
        y = 4
        while True:
            scale = int(rng.integers(2, 5))
            word = WORDS[int(rng.integers(len(WORDS)))]
            width = (len(word) * 7 - 2) * scale
            if y + 7 * scale > size - 4 or width > size - 8:
                break
            _draw(img, word, int(rng.integers(4, size - width - 3)), y, scale)
            y += 7 * scale + int(rng.integers(6, 20))
        out.append(_to_input(img, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)))
    return np.stack(out)


def text_lines(count: int, seed: int):
    """Classifier inputs: 48x192 text lines, every other one upside down (label 1 = 180 degrees;
    PaddleOCR's label_list ['0', '180']), normalised with mean 0.5, std 0.5."""
    rng = np.random.default_rng(seed)
    out, labels = [], []
    for k in range(count):
        img = _page(48, 192, rng)
        scale = int(rng.integers(3, 6))
        word = WORDS[int(rng.integers(len(WORDS)))][: (192 - 8) // (7 * scale)]
        _draw(img, word, 4, (48 - 7 * scale) // 2, scale)
        if k % 2:
            img = img[::-1, ::-1].copy()
        out.append(_to_input(img, (0.5,) * 3, (0.5,) * 3))
        labels.append(k % 2)
    return np.stack(out), np.array(labels, np.int64)


def seeded_normal(dims, count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((count, *dims)).astype(np.float32)
