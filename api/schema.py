"""The schema's token scheme, and the problem-details responses every operation may give."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["type", "title", "status", "detail"],
}
# Any operation that needs a token: 401 without a valid one, 403 beyond its scope or the person's role,
# 404 for what the person may not see (or a malformed id), 429 past the rate limit.
COMMON = {
    "400": "Invalid input.",
    "401": "No token, or an unknown, expired or revoked one.",
    "403": "The token's scope or the person's role does not allow this.",
    "404": "Not found, or not visible to the person.",
    "429": "Too many requests for this token: wait Retry-After seconds.",
}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token (account page)."}


def problem_responses(result, generator, request, public):
    """Postprocessing hook: the Problem component, and the common problem responses on each token operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in result.get("paths", {}).items():
        if path.startswith("/api/v1/schema") or path.endswith(("/docs/", "/redoc/")):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in COMMON.items():
                current = responses.get(code)
                if current is None or "content" not in current:
                    responses[code] = {"description": (current or {}).get("description") or description, "content": ref}
            for current in responses.values():  # a problem body declared beside a JSON one (412 of the figures)
                if "application/problem+json" in current.get("content", {}):
                    current["content"]["application/problem+json"] = ref["application/problem+json"]
            if "428" in responses:
                responses["428"] = {"description": "If-Match is missing.", "content": ref}
    return result
