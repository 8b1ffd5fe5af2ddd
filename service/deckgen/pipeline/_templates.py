"""Users' own .pptx templates: checked once on upload, stored, then named by decks that use them."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time

from deckgen.domain import FieldViolation, InvalidRequest, NotFound, Template
from deckgen.domain._codec import from_jsonable, to_jsonable
from deckgen.pipeline._ports import InspectTemplate
from deckgen.providers.storage import ArtifactStore, InvalidKey, ObjectNotFound

__all__ = ["TemplateLibrary", "parse_template_name", "template_not_found"]

_PPTX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def parse_template_name(name: str, field: str = "name") -> str:
    prefix, _, template_id = name.partition("/")
    if prefix != "templates" or not template_id or not template_id.replace("-", "").isalnum():
        raise InvalidRequest([FieldViolation(field, f"must be `templates/{{template}}`, got {name!r}")])
    return template_id


def template_not_found(template_id: str) -> NotFound:
    return NotFound(
        f"templates/{template_id} does not exist; upload it with CreateTemplate",
        resource_type="deckgen.v1.Template",
        resource_name=f"templates/{template_id}",
    )


_INSPECTIONS = 2
"""Templates inspected at once: each may inflate to the package limits (160 MiB), so a burst of
uploads waits its turn rather than multiplying the server's memory."""


class TemplateLibrary:
    def __init__(self, store: ArtifactStore, inspect: InspectTemplate, max_bytes: int) -> None:
        self._store = store
        self._inspect = inspect
        self._max_bytes = max_bytes
        self._inspecting = asyncio.Semaphore(_INSPECTIONS)

    async def create(self, display_name: str, content: bytes, owner: str = "") -> Template:
        if not content:
            raise InvalidRequest([FieldViolation("content", "required: the .pptx or .potx file")])
        if len(content) > self._max_bytes:
            raise InvalidRequest(
                [FieldViolation("content", f"at most {self._max_bytes} bytes, got {len(content)}")]
            )
        # The id digests the owner and the content: the same file uploaded again by its owner (a
        # retry) is harmless, and another owner's copy of the same file is a different template.
        template_id = hashlib.sha256(owner.encode() + b"\0" + content).hexdigest()[:24]
        try:
            return await self.get(template_id)
        except NotFound:
            pass
        async with self._inspecting:
            layouts, names = await asyncio.to_thread(self._inspect, content)
        template = Template(
            template_id, display_name.strip() or template_id, layouts, names, time.time(), owner
        )
        # The file first, its record last: a template is only visible once both are stored.
        await self._store.put(f"templates/{template_id}/template.pptx", content, _PPTX_MEDIA_TYPE)
        record = json.dumps(to_jsonable(template)).encode()
        await self._store.put(f"templates/{template_id}/template.json", record, "application/json")
        return template

    async def get(self, template_id: str) -> Template:
        try:
            data = await self._store.get(f"templates/{template_id}/template.json")
        except (ObjectNotFound, InvalidKey):
            raise template_not_found(template_id) from None
        return from_jsonable(Template, json.loads(data))

    async def content(self, template_id: str) -> bytes:
        try:
            return await self._store.get(f"templates/{template_id}/template.pptx")
        except (ObjectNotFound, InvalidKey):
            raise template_not_found(template_id) from None
