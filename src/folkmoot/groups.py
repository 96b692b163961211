"""Sending to a Channels group (a chat room, a moot's room) from synchronous code: views,
actions and their on-commit hooks."""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

# Tasks handed to a running loop, kept until done (the loop holds only weak references).
_pending: set[asyncio.Task[Any]] = set()


def send_to_group(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # the usual case: a worker thread of the server, no loop running
        async_to_sync(layer.group_send)(group, event)
        return
    # Synchronous code called inside a running event loop (an async caller, a test driving a
    # browser): async_to_sync cannot wait there, so the loop sends it.
    task = loop.create_task(layer.group_send(group, event))
    _pending.add(task)
    task.add_done_callback(_pending.discard)
