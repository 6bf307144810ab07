"""The shared store: where the account's pooled readings live between calls.

``local`` is the embedded file store (the default); ``backend`` is the seam that picks the
store a call uses, so every backend goes through the same merge function
(``history.record``) under its own kind of mutual exclusion. Nothing is imported here: the
status-line call loads only the backend it uses.
"""
