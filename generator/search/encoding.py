"""Compact text encoding of integer lists for the index files: each number as a base-64 VLQ
(5 bits a character plus a continuation bit, as in source maps). Sorted lists are stored as
deltas. Text, not binary, so files need no decoding step beyond this in the browser."""

from __future__ import annotations

from collections.abc import Iterable

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def encode(numbers: Iterable[int]) -> str:
    out = []
    for number in numbers:
        if number < 0:
            raise ValueError("VLQ encodes non-negative numbers")
        while True:
            digit = number & 31
            number >>= 5
            if number:
                out.append(ALPHABET[digit | 32])
            else:
                out.append(ALPHABET[digit])
                break
    return "".join(out)


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
    previous = 0
    deltas = []
    for number in numbers:
        deltas.append(number - previous)
        previous = number
    return encode(deltas)


def decode_sorted(text: str) -> list[int]:
    total = 0
    result = []
    for delta in decode(text):
        total += delta
        result.append(total)
    return result
