"""Parsing stored protocol documents once per process: versions never change, so the
parsed model is cached by the document's hash."""

import hashlib
from functools import lru_cache

from folkmoot.governance.protocol import Protocol, load_protocol

from .models import ProtocolVersion


@lru_cache(maxsize=256)
def _parse(digest: str, text: str) -> Protocol:
    return load_protocol(text)


def parsed(version: ProtocolVersion) -> Protocol:
    return _parse(hashlib.sha256(version.document.encode()).hexdigest(), version.document)
