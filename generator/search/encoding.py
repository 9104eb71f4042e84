"""Compact text encoding of integer lists for the index files: each number as a base-64 VLQ
(5 bits a character plus a continuation bit, as in source maps). Sorted lists are stored as
deltas. Text, not binary, so files need no decoding step beyond this in the browser."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def _encode_number(number: int) -> str:
    if number < 0:
        raise ValueError("VLQ encodes non-negative numbers")
    out = []
    while True:
        digit = number & 31
        number >>= 5
        if not number:
            out.append(ALPHABET[digit])
            return "".join(out)
        out.append(ALPHABET[digit | 32])


# Most numbers in the index (impacts, gaps between doc ids) are small: look them up.
_SMALL = [_encode_number(n) for n in range(1024)]


def encode(numbers: Iterable[int]) -> str:
    small = _SMALL
    return "".join([small[n] if 0 <= n < 1024 else _encode_number(n) for n in numbers])


def decode(text: str) -> list[int]:
    numbers = []
    value = shift = 0
    for char in text:
        digit = _VALUE[char]
        value |= (digit & 31) << shift
        if digit & 32:
            shift += 5
        else:
            numbers.append(value)
            value = shift = 0
    return numbers


def encode_sorted(numbers: Iterable[int]) -> str:
    numbers = list(numbers)
    return encode([b - a for a, b in zip(chain((0,), numbers), numbers, strict=False)])


def decode_sorted(text: str) -> list[int]:
    total = 0
    result = []
    for delta in decode(text):
        total += delta
        result.append(total)
    return result
