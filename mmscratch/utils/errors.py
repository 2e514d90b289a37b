"""The error type whose message the tools print as a single line."""


class UserInputError(Exception):
    """Bad input that the user can fix; the message says what and how.

    ``tools/train.py`` and ``tools/test.py`` print the message of this error
    as one line and exit with status 2 instead of showing a traceback.
    """
