"""The OpenAPI schema's share of the error dialect: every operation documents
the refusals it can meet, each with the one error shape of ``salon.rest``."""

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every refusal of the API: a stable machine code, words for people, and the fields at fault.",
    "properties": {
        "code": {"type": "string", "description": "Stable and machine-readable, e.g. therapist_busy."},
        "detail": {"type": "string"},
        "fields": {
            "type": "object",
            "description": "Field (dotted for nested ones, e.g. pain_map.1.side) to its messages.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "detail", "fields"],
}

# What any operation can meet: bad input (query parameters included), no or
# a wrong login, a role that may not, no such object or page, a conflict (no
# salon set up yet; a therapist already busy), too many requests.
ALWAYS = {
    "400": "The input is refused; `fields` names what is wrong.",
    "401": "Not signed in, or the token is not valid.",
    "403": "The caller's role may not do this.",
    "404": "No such object, or no such page of a list.",
    "409": "The request conflicts with what is stored.",
    "429": "Too many requests; try again later.",
}
WITH_BODY = {
    "413": "The request body is over the size limit.",
    "415": "The body is not of a media type the operation takes.",
}


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the error responses."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            errors = dict(ALWAYS)
            if "requestBody" in operation:
                errors.update(WITH_BODY)
            responses = operation.setdefault("responses", {})
            for status, description in errors.items():
                responses.setdefault(status, {"content": reference, "description": description})
    return result
