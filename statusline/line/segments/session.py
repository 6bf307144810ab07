"""This session's own segments: its model and its context window (pure)."""

from __future__ import annotations

from statusline.line.formatting import format_pct
from statusline.line.kit import RANK_CONTEXT, RANK_MODEL, Context, Segment, usage_style
from statusline.sanitize import clean


def model(ctx: Context) -> Segment | None:
    """The session's model (e.g. Opus 5.5)."""
    name = clean(ctx.payload.model or "", 24)
    if not name:  # a name of control bytes only: nothing
        return None
    return Segment(name, "model", ((RANK_MODEL, None),))


def context(ctx: Context) -> Segment | None:
    """This session's context window use (ctx 43%); ctx – before the first reply."""
    pct = ctx.payload.context_pct
    if pct is None:
        return Segment("ctx –" if ctx.config.symbols == "unicode" else "ctx -", "dim",
                       ((RANK_CONTEXT, None),))
    return Segment(f"ctx {format_pct(pct)}", usage_style(pct, ctx.config),
                   ((RANK_CONTEXT, None),))
