"""history/fields.py: the audit of a store document's field types.

The audit runs on every store read, over every session, so a field of the types a JSON
document holds is judged at once (``fits``); these tests hold that to the plain rule
(``_fits``) on open-ended values, and name what a mistyped document loses.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from statusline.history import fields

KINDS = sorted({kinds for schema in (fields._SESSION, fields._WINDOW, fields._TOP)
                for kinds in schema.values()}, key=repr)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4)
    | st.integers(min_value=10**307, max_value=10**310),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner,
                                                                max_size=3),
    max_leaves=6)


@given(VALUES, st.sampled_from(KINDS))
def test_the_quick_judgement_is_the_plain_rule(value: object,
                                               kinds: tuple[str | None, ...]) -> None:
    compiled = fields._compile({"x": kinds})[0]
    assert fields.fits(value, *compiled[1:]) == fields._fits(value, kinds)


def test_a_mistyped_session_field_is_named_and_a_good_one_is_not() -> None:
    good = {"first_seen": 1.0, "last_seen": 2, "model": None, "costs": [], "pid": 7,
            "idle_gaps": [], "reading_changed_at": 2.0, "context_pct": 12.5}
    document = {"sessions": {"a": good, "b": {**good, "last_seen": float("inf"), "pid": True,
                                              "costs": "x", "model": 5}}}
    assert fields.audit(document) == ["sessions.b.last_seen", "sessions.b.model",
                                      "sessions.b.costs", "sessions.b.pid"]
