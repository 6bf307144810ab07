"""What ``statusline inspect`` shows (pure): ``report`` builds the ``--json`` document from the
store and the forecast, ``text`` draws it in plain words with ``chart`` and ``rhythm_text``;
the ``*_limits`` modules add the account and the limits beyond 5h/7d. Nothing is imported here.
"""
