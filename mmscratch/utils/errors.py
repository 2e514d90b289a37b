"""The error type whose message the tools print as a single line."""


class UserInputError(Exception):
    """Bad input that the user can fix; the message says what and how.

    ``tools/train.py`` and ``tools/test.py`` print the message of this error
    as one line and exit with status 2 instead of showing a traceback.
    """


def read_json(path: str, what: str, fix: str = ''):
    """The parsed content of a JSON file, or a one-line UserInputError.

    The message reads ``{what} {path} is not valid JSON ({reason}){fix}``.
    """
    import json
    try:
        # utf-8-sig: a byte order mark at the start is allowed
        with open(path, encoding='utf-8-sig') as f:
            return json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UserInputError(
            f'{what} {path} is not valid JSON ({err}){fix}') from None
