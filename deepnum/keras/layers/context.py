"""The call context: what Keras passes implicitly from the outermost model call to the
layers inside it (the ``training`` flag; the activity-regularization penalties of this
call; the logits of softmax/sigmoid outputs, so a probability loss can use them; and, while
a non-finite loss is diagnosed, every layer's output)."""

from __future__ import annotations

import contextlib

from ...autograd import no_grad


class _CallContext:
    """State of the outermost model call, read by the layers inside it."""

    training: bool | None = None
    depth = 0
    losses: list | None = None  # activity penalties of this call
    logits: dict | None = None  # id(output) -> logits, when the compiled loss can use them
    watch: list | None = None  # (layer, output) pairs, while diagnosing a non-finite loss


_context = _CallContext()


@contextlib.contextmanager
def isolated_call():
    """Run a call outside the current model call (e.g. a dry run that builds layers): no
    training flag, no penalties or logits recorded, no gradient."""
    ctx = _context
    saved = ctx.training, ctx.depth, ctx.losses, ctx.logits, ctx.watch
    ctx.training = ctx.losses = ctx.logits = ctx.watch = None
    ctx.depth = 0
    try:
        with no_grad():
            yield
    finally:
        ctx.training, ctx.depth, ctx.losses, ctx.logits, ctx.watch = saved
