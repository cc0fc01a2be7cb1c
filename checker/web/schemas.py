"""What the API accepts: pydantic models of every request body, query and path.

flask-openapi3 validates each request against these models before the view runs (a view
declares them as its `body`, `query` and `path` arguments) and publishes them in
`/openapi.json`. A constraint whose message must name a setting (the `k` and claim limits,
the batch size) or that needs the service's own rules (the index name, a blank claim) is
published here with `json_schema_extra` and enforced where the setting lives, so that its
message stays the one the README documents; `openapi.py` writes each app's own limits into
the published document.

The JSON body is read before validation, and validation errors are worded as the API's
problems, in `validation.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SkipValidation,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from checker.service import MAX_REVIEW_NOTE_CHARS
from checker.types import DISMISS_REASONS, ReviewState

INDEX_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_REVIEW_STATES = [s.value for s in ReviewState]
_SWITCH = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": False}


def _published(nullable: bool = False, **extra: Any) -> Callable[[dict[str, Any]], None]:
    """A field's `json_schema_extra`: what the published schema says beyond the Python type.

    An optional member that may be left out but means nothing as null is published as its
    type alone (null is still taken, as "left out"); `extra` adds the constraints that are
    enforced where their setting lives (see the module docstring)."""

    def publish(schema: dict[str, Any]) -> None:
        if not nullable:
            members = [m for m in schema.pop("anyOf", []) if m.get("type") != "null"]
            for key, value in (members[0] if members else {}).items():
                schema.setdefault(key, value)  # the field's own description wins
            if "default" in schema and schema["default"] is None:
                del schema["default"]
        schema.update(extra)

    return publish


def _day(value: object) -> object:
    """A `YYYY-MM-DD` string as a date; anything else is refused with one clear message."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("day", "must be a date as YYYY-MM-DD")


def _integer(value: object) -> object:
    """A query parameter's text as an integer (`int()` rules, as before the migration)."""
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            raise PydanticCustomError("integer", "must be an integer") from None
    return value


def _switch(value: object) -> object:
    if isinstance(value, str) and value.strip().lower() in _SWITCH:
        return _SWITCH[value.strip().lower()]
    raise PydanticCustomError("switch", "must be 1 or 0 (true or false)")


def _review_filter(value: object) -> object:
    """`open,confirmed` as a list of states; None (every state) for `all`."""
    if not isinstance(value, str):
        return value
    if value.strip() == "all":
        return None
    states = [part.strip() for part in value.split(",")]
    if not all(state in _REVIEW_STATES for state in states):
        raise PydanticCustomError(
            "review_filter",
            "must be one of {states} (or all)",
            {"states": ", ".join(_REVIEW_STATES)},
        )
    return [ReviewState(state) for state in states]


Day = Annotated[
    date,
    BeforeValidator(_day),
    Field(description="A day as `YYYY-MM-DD` (inclusive).", examples=["2023-09-20"]),
]
QueryInt = Annotated[int, BeforeValidator(_integer)]
Switch = Annotated[
    bool,
    BeforeValidator(_switch),
    WithJsonSchema(
        {"type": "string", "enum": ["1", "0", "true", "false", "yes", "no"], "default": "0"}
    ),
]
MAX_INDEXES = 60  # five years of monthly indexes in one check
IndexName = Annotated[
    str,
    Field(
        description="Search a sibling index directory of `CHECKER_INDEX` by name instead of "
        "the default index. An unknown name is a 404, never a new empty index.",
        json_schema_extra={"pattern": INDEX_NAME},
    ),
]


class _Body(BaseModel):
    """A JSON object body: types are not coerced ("10" is not a number) and a member the
    operation does not know is refused, naming it."""

    model_config = ConfigDict(strict=True, extra="forbid")
    # Whether every string of the body must be Unicode text (see `read_json_body`).
    whole_text: ClassVar[bool] = True


class _CheckOptions(_Body):
    k: int | None = Field(
        None,
        description="How many nearest sentences to consider (default `CHECKER_K`, at most "
        "`CHECKER_MAX_K`).",
        json_schema_extra=_published(minimum=1),
    )
    sources: list[str] = Field(
        default_factory=list,
        description="Only passages from documents whose `source` is in this list.",
        examples=[["AP", "Reuters"]],
    )
    exclude_document: str | None = Field(
        None,
        description="Leave out one document, e.g. the story being edited, so that it is not "
        "checked against its own earlier version.",
        examples=["000_434e7cb778165911"],
        json_schema_extra=_published(),
    )
    published_after: Day | None = Field(
        None,
        description="Only documents published on or after this day (`YYYY-MM-DD`); "
        "undated documents are left out.",
        json_schema_extra=_published(),
    )
    published_before: Day | None = Field(
        None,
        description="Only documents published on or before this day (`YYYY-MM-DD`); "
        "undated documents are left out.",
        json_schema_extra=_published(),
    )
    index: IndexName | None = Field(None, json_schema_extra=_published())


# Published, and refused by the service with one message for an empty and a blank text.
_TEXT = _published(minLength=1, pattern=r"\S")


class CheckRequest(_CheckOptions):
    """A claim to check against every stored report."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"claim": "Armenian forces are present in Karabakh", "k": 20},
                {
                    "claim": "The ceasefire held overnight",
                    "exclude_document": "draft-2023-09-21",
                    "published_after": "2023-09-19",
                },
            ]
        }
    )

    claim: str = Field(
        description="The sentence to check, at most `CHECKER_MAX_CLAIM_CHARS` characters. An "
        "empty or blank claim is refused with one message.",
        json_schema_extra=_TEXT,
    )
    indexes: list[IndexName] | None = Field(
        None,
        description="Search several sibling indexes of `CHECKER_INDEX` by name (an index a "
        'month or a quarter: `["2023-08", "2023-09"]`) and merge their nearest '
        f"sentences into one top `k`; each passage then names its `index`. At most "
        f"{MAX_INDEXES}, each once; not with `index`. An unknown name is a 404.",
        min_length=1,
        max_length=MAX_INDEXES,
        json_schema_extra=_published(),
    )

    @field_validator("indexes")
    @classmethod
    def _each_index_once(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if value is not None and info.data.get("index") is not None:
            raise PydanticCustomError("indexes", "give `index` or `indexes`, not both")
        twice = sorted({name for name in value or () if value and value.count(name) > 1})
        if twice:
            raise PydanticCustomError(
                "indexes", "names each index once; {names} more than once", {"names": twice}
            )
        return value


class DraftRequest(_CheckOptions):
    """A draft (a whole story) whose every sentence is checked."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "Armenian forces are present in Karabakh. The talks took place "
                    "in Yevlakh.",
                    "exclude_document": "draft-2023-09-21",
                }
            ]
        }
    )

    text: str = Field(
        description="The draft. It is split into sentences; each is checked as a claim, so "
        "each is at most `CHECKER_MAX_CLAIM_CHARS` characters and a draft has at most 200.",
        json_schema_extra=_TEXT,
    )


_METADATA = "or null; surrounding whitespace is dropped and an empty string counts as null."


class DocumentRecord(_Body):
    """One document to store: `text` (plain text) or `html` (a page whose main text is
    extracted and boilerplate dropped), and what is known about it."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "id": "wire-1",
                    "title": "Wire",
                    "source": "Wire",
                    "published": "2023-09-21",
                    "text": "Armenian forces remain deployed in Karabakh, the wire reported.",
                }
            ]
        },
    )

    id: str | None = Field(
        None,
        description="The document's id: the same id with changed content replaces it, with "
        "the same content is a no-op. Default: a hash of the content. No `/` or `#`.",
        json_schema_extra=_published(minLength=1, maxLength=200),
    )
    title: str | None = Field(None, description=f"The headline, {_METADATA}")
    source: str | None = Field(None, description=f"The outlet, {_METADATA}")
    url: str | None = Field(None, description=f"Where it was published, {_METADATA}")
    published: str | None = Field(
        None,
        description="When it was published: a day, month and year (`2023-09-20`, "
        f"`20 September 2023`), stored as ISO 8601; {_METADATA}",
    )
    language: str | None = Field(None, description=f"An ISO 639-1 code, {_METADATA}")
    text: str | None = Field(
        None, description="The plain text (or `html`).", json_schema_extra=_published()
    )
    html: str | None = Field(
        None, description="A web page (or `text`).", json_schema_extra=_published()
    )


# Each record is published as DocumentRecord but checked on its own by the view: one bad
# record is listed under `problems` while the others are stored.
_Records = Annotated[
    list[SkipValidation[DocumentRecord]],
    Field(
        min_length=1,
        description="The documents, at most `CHECKER_MAX_BATCH_DOCUMENTS` in one request.",
    ),
]


class DocumentsRequest(_Body):
    """Documents to add or replace: a JSON list of records, or an object with the list
    under `documents` (and an `index`)."""

    model_config = ConfigDict(extra="ignore")
    whole_text: ClassVar[bool] = False  # a bad record is a problem of its own (see above)

    documents: _Records
    index: IndexName | None = Field(None, json_schema_extra=_published())

    @model_validator(mode="before")
    @classmethod
    def _a_bare_list(cls, data: Any) -> Any:
        return {"documents": data} if isinstance(data, list) else data

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        as_object = handler.resolve_ref_schema(handler(core_schema))
        return {
            "description": as_object.get("description"),
            "oneOf": [
                as_object["properties"]["documents"],
                {
                    "type": "object",
                    "required": ["documents"],
                    "properties": as_object["properties"],
                },
            ],
            "examples": [
                [DocumentRecord.model_config["json_schema_extra"]["examples"][0]],  # type: ignore[index]
                {"documents": [{"id": "wire-2", "html": "<article><p>…</p></article>"}]},
            ],
        }


class ReviewRequest(_Body):
    """An editor's decision on a finding."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"review": "dismissed", "reason": "different-time", "note": "Two different days"},
                {"review": "confirmed"},
            ]
        }
    )

    review: ReviewState = Field(
        description="confirmed or dismissed; open withdraws a decision.", strict=False
    )
    reason: str | None = Field(
        None,
        description="With dismissed only: why (" + ", ".join(DISMISS_REASONS) + ").",
        json_schema_extra=_published(nullable=True, enum=[*DISMISS_REASONS, None]),
    )
    note: str | None = Field(
        None,
        description=f"Free text for colleagues, at most {MAX_REVIEW_NOTE_CHARS} characters.",
        json_schema_extra=_published(nullable=True, maxLength=MAX_REVIEW_NOTE_CHARS),
    )


class _Query(BaseModel):
    """Query parameters: text parsed as the type says; ones the operation does not know are
    ignored."""

    model_config = ConfigDict(extra="ignore")


class IndexQuery(_Query):
    index: IndexName | None = Field(None, json_schema_extra=_published())


class DocumentQuery(IndexQuery):
    text: Switch = Field(
        False,
        description="1 (or true): include the document's stored text and where each of its "
        "sentences lies in it.",
    )


class DiscrepanciesQuery(IndexQuery):
    limit: QueryInt = Field(50, ge=1, le=500, description="How many findings to return.")
    offset: QueryInt = Field(0, ge=0, le=10**9, description="How many to skip first.")
    review: Annotated[
        list[ReviewState] | None,
        BeforeValidator(_review_filter),
        WithJsonSchema(
            {
                "type": "string",
                "pattern": f"^(all|({'|'.join(_REVIEW_STATES)})(,({'|'.join(_REVIEW_STATES)}))*)$",
            }
        ),
    ] = Field(
        None,
        description="Only findings with these decisions, comma-separated (open, confirmed, "
        "dismissed); all (the default) lists every one.",
        json_schema_extra=_published(default="all"),
    )


class DocumentPath(BaseModel):
    document_id: str = Field(description="The document's id.")


class FindingPath(BaseModel):
    finding_id: int = Field(
        description="The finding's id, from `GET /v1/discrepancies`.",
        json_schema_extra=_published(minimum=1),
    )


MODELS: dict[str, type[BaseModel]] = {
    model.__name__: model
    for model in (
        CheckRequest,
        DraftRequest,
        DocumentRecord,
        DocumentsRequest,
        ReviewRequest,
        IndexQuery,
        DocumentQuery,
        DiscrepanciesQuery,
        DocumentPath,
        FindingPath,
    )
}
