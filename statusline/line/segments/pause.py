"""The pause hint: which session to pause so the pool lasts to its reset (pure)."""

from __future__ import annotations

from statusline.line import names
from statusline.line.kit import RANK_PAUSE, RANK_PAUSE_SHORT, Context, Segment, giving_way


def pause(ctx: Context) -> Segment | None:
    """The session to pause so the binding window lasts to its reset (pause api-server → ✓)."""
    if ctx.projection.binding_window is None:
        return None  # the calm case: not even the what-if module is imported
    from statusline.forecast.what_if import pause_hint

    hint = pause_hint(ctx.state, ctx.projection, ctx.now)
    if hint is None:
        return None
    if hint.session_id == ctx.session_key:
        who = "this"
    else:
        who = names.session_names(ctx.state.sessions.values()).get(hint.session_id, "?")
    sym = ctx.symbols
    short = f"pause {who}"
    full = f"{short} {sym['arrow']} {sym['ok']}"
    return Segment(full, "warn", giving_way(full, (RANK_PAUSE_SHORT, short), (RANK_PAUSE, None)))
