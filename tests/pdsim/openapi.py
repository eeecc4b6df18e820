"""Request validation against PagerDuty's official OpenAPI documents.

The simulator checks every request it receives against the documents in
``../shared/pagerduty-api/`` (or the directory named by ``PDSIM_OPENAPI_DIR``):
the path and method must exist, required headers must be present and valid,
query parameters must be documented and of the documented type, and a JSON body
must match the documented request schema.

Three deliberate choices, stricter or more lenient than a literal reading:

* Query parameters that the document does not list are refused.  PagerDuty
  ignores them silently, which hides client bugs such as ``team_ids`` sent
  without its ``[]``; a contract checker should say so.
* ``readOnly`` properties may be sent.  PagerDuty's document marks the ``id`` of
  every reference object read-only while also requiring it, and PagerDuty
  accepts (and ignores) read-only fields in request bodies.
* Header ``pattern``s are enforced, except the ``Authorization`` header's.  The
  document's ``header_Authorization`` parameter allows only
  ``Token token=[A-Za-z0-9]+`` or ``Bearer [A-Za-z0-9]+`` (no operation refers
  to it today, but one may), and the simulator's tokens (``pdsim-admin-token``)
  have hyphens: they are not real-format.  The simulator checks the token itself
  (401 before validation), and a pattern error would echo the token in its answer.
"""

import datetime
import json
import os
import re
from pathlib import Path

from .errors import InvalidInput, MethodNotAllowed, NotFound, EventsError

REST_DOCUMENT = "rest-openapiv3.json"
EVENTS_DOCUMENT = "events-v2-openapiv3.json"
METHODS = ("get", "put", "post", "delete", "patch")


def find_documents(explicit=None):
    """The directory holding both OpenAPI documents, or None."""
    candidates = []
    if explicit:
        candidates.append(Path(explicit))
    if os.environ.get("PDSIM_OPENAPI_DIR"):
        candidates.append(Path(os.environ["PDSIM_OPENAPI_DIR"]))
    here = Path(__file__).resolve()
    # tests/pdsim/openapi.py -> <repo>/../shared/pagerduty-api
    for parent in here.parents[1:5]:
        candidates.append(parent.parent / "shared" / "pagerduty-api")
    candidates.append(Path.cwd().parent / "shared" / "pagerduty-api")
    for candidate in candidates:
        if candidate.is_file():
            candidate = candidate.parent
        if (candidate / REST_DOCUMENT).is_file() and (candidate / EVENTS_DOCUMENT).is_file():
            return candidate
    return None


# --- formats --------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
# RFC 3339 section 5.6, which OpenAPI's ``date-time`` means: date, ``T``, time with
# seconds, an optional fraction, and ``Z`` or a ``+hh:mm`` offset (letters in either case) - and the offset without
# its colon (``+0000``), which PagerDuty's own Events API v2 document uses in the examples of both its operations
# ("timestamp": "2015-07-17T08:42:58.315+0000"), so PagerDuty accepts it.
_RFC3339_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)


def parse_datetime(value):
    """Parse the ISO 8601 forms PagerDuty accepts (``Z``, ``+00:00``, ``+0000``)."""
    text = value.strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    match = re.match(r"^(.*[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)([+-]\d{2})(\d{2})$", text)
    if match:
        text = "%s%s:%s" % match.groups()
    # Python < 3.11 cannot parse fractions other than 3 or 6 digits.
    text = re.sub(r"\.(\d+)", lambda m: "." + (m.group(1) + "000000")[:6], text)
    return datetime.datetime.fromisoformat(text)


def _check_datetime(value):
    if not isinstance(value, str):
        return True
    if not _RFC3339_DATETIME.match(value):
        return False
    try:
        parse_datetime(value)
    except ValueError:
        return False
    return True


def _check_url(value):
    if not isinstance(value, str):
        return True
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/]+", value))


def _format_checker():
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    checker.checks("date-time")(_check_datetime)
    checker.checks("email")(lambda v: not isinstance(v, str) or bool(_EMAIL.match(v)))
    checker.checks("url")(_check_url)
    checker.checks("uri")(_check_url)
    checker.checks("uuid")(lambda v: not isinstance(v, str) or bool(_UUID.match(v)))
    return checker


def _request_validator_class():
    """OpenAPI 3.0 validator for request bodies (see the module docstring)."""
    from jsonschema.validators import extend
    from openapi_schema_validator import OAS30Validator
    from openapi_schema_validator import _keywords as oas_keywords

    def read_only(validator, value, instance, schema):
        return iter(())

    return extend(OAS30Validator, validators={
        "required": oas_keywords.write_required,
        "readOnly": read_only,
    })


# --- operations -------------------------------------------------------------

# Header patterns are enforced, except Authorization's (see the module docstring).
PATTERN_EXEMPT_HEADERS = ("authorization",)


class Operation(object):
    """One method on one path template of one document."""

    def __init__(self, contract, api, template, method, path_item, operation):
        self.contract = contract
        self.api = api
        self.template = template
        self.method = method.upper()
        self.operation_id = operation.get("operationId")
        self.parameters = {}
        for raw in list(path_item.get("parameters", [])) + list(operation.get("parameters", [])):
            param = contract.resolve(raw, api)
            self.parameters[(param["in"], param["name"].lower() if param["in"] == "header" else param["name"])] = param
        self.body_schema = None
        self.body_required = False
        self.body_pointer = None
        body = operation.get("requestBody")
        if body:
            body = contract.resolve(body, api)
            self.body_required = bool(body.get("required"))
            content = body.get("content", {})
            for media in ("application/json", "application/json; charset=utf-8"):
                if media in content and "schema" in content[media]:
                    self.body_schema = content[media]["schema"]
                    break
        self._validator = None
        self.responses = operation.get("responses", {})

    def response_errors(self, status, body):
        """Where an answer of the simulator departs from the documented response (for the simulator's own tests)."""
        documented = self.responses.get(str(status)) or self.responses.get("%dXX" % (status // 100)) \
            or self.responses.get("default")
        if documented is None:
            return ["status %s is not documented for %s %s" % (status, self.method, self.template)]
        documented = self.contract.resolve(documented, self.api)
        content = documented.get("content") or {}
        media = content.get("application/json") or next(iter(content.values()), None)
        if media is None or "schema" not in media or body is None:
            return []
        schema = self.contract.resolve(media["schema"], self.api)
        validator = self.contract.validator_for(schema, self.api, read=True)
        # Two defects of the document itself are not departures: PagerDuty sends null
        # for many fields it does not mark nullable (resolved_at, priority, job_title),
        # and some oneOf lists (Channel) have branches that every object matches.
        problems = []
        for error in validator.iter_errors(body):
            if error.instance is None:
                continue
            causes = [error] + list(error.context or [])
            if any(c.validator == "oneOf" and "is valid under each of" in c.message for c in causes):
                continue
            problems.append("%s: %s" % (".".join(str(p) for p in error.absolute_path) or "body", _short(error)))
        return problems

    # headers
    def _validate_headers(self, headers, errors):
        for (where, name), param in sorted(self.parameters.items()):
            if where != "header":
                continue
            value = headers.get(name)
            if value is None:
                if param.get("required"):
                    errors.append("The %s header is required" % param["name"])
                continue
            schema = self.contract.resolve(param.get("schema", {}), self.api)
            if name == "content-type":
                value = value.split(";")[0].strip()
            if name == "accept":
                if not re.match(r"^application/vnd\.pagerduty\+json;\s*version=2$", value.strip()):
                    errors.append("The Accept header must be application/vnd.pagerduty+json;version=2, not %r" % value)
                continue
            if "enum" in schema and value not in schema["enum"]:
                errors.append("The %s header must be one of %s, not %r"
                              % (param["name"], ", ".join(schema["enum"]), value))
            if schema.get("format") == "email" and not _EMAIL.match(value):
                errors.append("The %s header must be an email address, not %r" % (param["name"], value))
            if "pattern" in schema and name not in PATTERN_EXEMPT_HEADERS and not re.search(schema["pattern"], value):
                errors.append("The %s header must match %s, not %r" % (param["name"], schema["pattern"], value))

    # query
    def _coerce(self, name, value, schema, errors):
        kind = schema.get("type")
        if kind == "integer":
            try:
                return int(value)
            except ValueError:
                errors.append("%s must be an integer, not %r" % (name, value))
                return None
        if kind == "number":
            try:
                return float(value)
            except ValueError:
                errors.append("%s must be a number, not %r" % (name, value))
                return None
        if kind == "boolean":
            if value.lower() in ("true", "false"):
                return value.lower() == "true"
            errors.append("%s must be true or false, not %r" % (name, value))
            return None
        return value

    def _validate_query(self, query, errors):
        known = {name for (where, name) in self.parameters if where == "query"}
        for name in sorted(query):
            if name not in known:
                hint = ""
                if name + "[]" in known:
                    hint = " (did you mean %s[]?)" % name
                errors.append("Unknown query parameter %r%s" % (name, hint))
        coerced = {}
        for (where, name), param in sorted(self.parameters.items()):
            if where != "query":
                continue
            values = query.get(name)
            if not values:
                if param.get("required"):
                    errors.append("The query parameter %s is required" % name)
                continue
            schema = self.contract.resolve(param.get("schema", {}), self.api)
            if schema.get("type") == "array":
                items = self.contract.resolve(schema.get("items", {}), self.api)
                if (param.get("explode") is False
                        or param.get("style") == "form" and len(values) == 1 and "," in values[0]):
                    values = [v for chunk in values for v in chunk.split(",")]
                value = [self._coerce(name, v, items, errors) for v in values]
                self._check_value(name, value, schema, errors)
            elif name.endswith("[]"):
                value = [self._coerce(name, v, schema, errors) for v in values]
                for item in value:
                    self._check_value(name, item, {k: v for k, v in schema.items() if k != "uniqueItems"}, errors)
            else:
                if len(values) > 1:
                    errors.append("%s was given %d times; it takes one value" % (name, len(values)))
                value = self._coerce(name, values[-1], schema, errors)
                self._check_value(name, value, schema, errors)
            coerced[name] = value
        return coerced

    def _check_value(self, name, value, schema, errors):
        if value is None:
            return
        validator = self.contract.validator_for(schema, self.api)
        for error in validator.iter_errors(value):
            errors.append("%s: %s" % (name, error.message))

    # body
    def _validate_body(self, body, errors):
        if self.body_schema is None:
            return
        if body is None:
            if self.body_required:
                errors.append("A JSON request body is required")
            return
        validator = self._validator
        if validator is None:
            validator = self._validator = self.contract.validator_for(self.body_schema, self.api)
        for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)):
            where = ".".join(str(p) for p in error.absolute_path) or "body"
            errors.append("%s: %s" % (where, _short(error)))

    def validate(self, headers, query, body):
        """Return the coerced query parameters, or raise the API's own 400."""
        errors = []
        self._validate_headers(headers, errors)
        coerced = self._validate_query(query, errors)
        self._validate_body(body, errors)
        if errors:
            if self.api == "events":
                raise EventsError(*errors)
            raise InvalidInput(*errors)
        return coerced


def _short(error):
    """A one-line message for a schema error, preferring the deepest cause."""
    if error.context:
        best = min(error.context, key=lambda e: (-len(e.absolute_path), len(e.message)))
        where = ".".join(str(p) for p in best.relative_path)
        return (where + ": " if where else "") + best.message
    message = error.message
    return message if len(message) < 300 else message[:297] + "..."


class Contract(object):
    """The operations of PagerDuty's REST and Events documents, for matching and validation."""

    def __init__(self, rest_document, events_document, source=None):
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT4

        self.source = source
        self.documents = {"rest": rest_document, "events": events_document}
        self._registry = Registry().with_resources([
            ("urn:pagerduty:%s" % api, Resource.from_contents(doc, default_specification=DRAFT4))
            for api, doc in self.documents.items()
        ])
        self._validator_class = _request_validator_class()
        self._format_checker = _format_checker()
        self.operations = {"rest": [], "events": []}
        for api, doc in self.documents.items():
            for template, path_item in doc.get("paths", {}).items():
                for method in METHODS:
                    if method in path_item:
                        op = Operation(self, api, template, method, path_item, path_item[method])
                        self.operations[api].append((_compile(template), op))
            # Literal segments win over templated ones (/users/me before /users/{id}).
            self.operations[api].sort(key=lambda item: item[0][1])

    @classmethod
    def load(cls, directory):
        directory = Path(directory)
        with open(directory / REST_DOCUMENT, encoding="utf-8") as handle:
            rest = json.load(handle)
        with open(directory / EVENTS_DOCUMENT, encoding="utf-8") as handle:
            events = json.load(handle)
        return cls(rest, events, source=str(directory))

    def resolve(self, node, api):
        """Follow a local ``$ref`` in the ``api`` document."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            pointer = node["$ref"]
            if not pointer.startswith("#/"):
                raise ValueError("external reference %s" % pointer)
            target = self.documents[api]
            for part in pointer[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
            seen += 1
        return node

    def validator_for(self, schema, api, read=False):
        if read:
            from openapi_schema_validator import OAS30ReadValidator
            return OAS30ReadValidator(_rebase(schema, "urn:pagerduty:%s" % api), registry=self._registry,
                                      format_checker=self._format_checker)
        return self._validator_class(
            _rebase(schema, "urn:pagerduty:%s" % api),
            registry=self._registry,
            format_checker=self._format_checker,
        )

    def match(self, api, method, path):
        """The operation for ``method path`` on ``api`` ("rest" or "events")."""
        found_path = False
        for (regex, _rank), op in self.operations[api]:
            if regex.match(path):
                found_path = True
                if op.method == method.upper():
                    return op
        if found_path:
            raise MethodNotAllowed("%s is not an operation of %s" % (method.upper(), path))
        raise NotFound("%s is not a path of PagerDuty's %s API" % (path, "REST" if api == "rest" else "Events"))


def _compile(template):
    parts = template.strip("/").split("/")
    pattern = "".join("/[^/]+" if p.startswith("{") else "/" + re.escape(p) for p in parts)
    literal = sum(1 for p in parts if not p.startswith("{"))
    # rank: more literal segments first, then longer templates
    return re.compile("^%s/?$" % pattern), (-literal, -len(parts))


def _rebase(schema, base):
    """Make ``#/...`` references inside ``schema`` absolute to the document."""
    if isinstance(schema, dict):
        out = {}
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/"):
                out[key] = base + value
            else:
                out[key] = _rebase(value, base)
        return out
    if isinstance(schema, list):
        return [_rebase(v, base) for v in schema]
    return schema
