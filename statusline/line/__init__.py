"""The line itself (pure): segments turn the projection into figures, ``render`` fits them to
the row by importance; ``formatting`` and ``names`` write durations, times and session names
the same way for the line and the reports. Nothing is imported here.
"""
