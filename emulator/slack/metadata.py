"""Message metadata as Slack takes it on `chat.postMessage`, `chat.update`
and `chat.scheduleMessage`: an event (`event_type` and its `event_payload`), Work Object
`entities`, or both (docs.slack.dev/messaging/message-metadata, /messaging/work-objects).

The shape follows slack_sdk's models (`slack_sdk.models.metadata.Metadata`,
`EventAndEntityMetadata`, `EntityMetadata`, `EntityPayload`, `EntityAttributes`, `EntityTitle`,
`ExternalRef`): their required arguments are the required fields here, and `EntityType` the
entity types Slack knows. What is not JSON of that outline is `invalid_metadata_format`; an
entity that breaks the schema is `invalid_metadata_schema` (both in the methods' error lists).
The `response_metadata` line that says which field is ours, as Slack's wording is not
documented. Fields beyond these are kept as given, never dropped.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.metadata import EntityType

from emulator.slack.errors import SlackError


class InvalidMetadata(SlackError):
    def __init__(self, code: str, line: str) -> None:
        super().__init__(code, response_metadata={"messages": [f"[ERROR] {line}"]})


def checked_metadata(value: Any) -> dict[str, Any]:
    """`value` if Slack would store it as a message's metadata, else the error Slack gives."""
    if not isinstance(value, dict):
        raise InvalidMetadata("invalid_metadata_format", "metadata must be an object")
    entities = value.get("entities")
    if "event_type" in value or entities is None:
        if not isinstance(value.get("event_type"), str) or not value["event_type"]:
            raise InvalidMetadata("invalid_metadata_format", "event_type must be a string")
        if not isinstance(value.get("event_payload", {}), dict):
            raise InvalidMetadata("invalid_metadata_format", "event_payload must be an object")
    if entities is not None:
        if not isinstance(entities, list) or not entities:
            raise InvalidMetadata("invalid_metadata_format", "entities must be a non-empty array")
        for index, entity in enumerate(entities):
            problem = _entity_problem(entity)
            if problem:
                raise InvalidMetadata("invalid_metadata_schema", f"entities[{index}]: {problem}")
    return value


def _entity_problem(entity: Any) -> str:
    if not isinstance(entity, dict):
        return "must be an object"
    if entity.get("entity_type") not in EntityType:
        return f"entity_type must be one of {sorted(EntityType)}"
    for key in ("url",):
        if not isinstance(entity.get(key), str) or not entity[key]:
            return f"missing required field: {key}"
    ref = entity.get("external_ref")
    if not isinstance(ref, dict) or not isinstance(ref.get("id"), str) or not ref["id"]:
        return "missing required field: external_ref.id"
    payload = entity.get("entity_payload")
    if not isinstance(payload, dict):
        return "missing required field: entity_payload"
    attributes = payload.get("attributes")
    if not isinstance(attributes, dict):
        return "missing required field: entity_payload.attributes"
    title = attributes.get("title")
    if not isinstance(title, dict) or not isinstance(title.get("text"), str) or not title["text"]:
        return "missing required field: entity_payload.attributes.title.text"
    return ""
