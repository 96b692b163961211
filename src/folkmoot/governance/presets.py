"""The presets that ship with Folkmoot (PRO-4): `red15m`, `harmony` and `default`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .protocol import Protocol, load_protocol

PRESET_DIR = Path(__file__).with_name("presets")
PRESETS = ("default", "harmony", "red15m")


def preset_text(name: str) -> str:
    if name not in PRESETS:
        raise KeyError(name)
    return (PRESET_DIR / f"{name}.yaml").read_text(encoding="utf-8")


@cache
def load_preset(name: str) -> Protocol:
    return load_protocol(preset_text(name))
