"""The error type whose message the tools print as a single line."""


class UserInputError(Exception):
    """Bad input that the user can fix; the message says what and how.

    ``tools/train.py`` and ``tools/test.py`` print the message of this error
    as one line and exit with status 2 instead of showing a traceback.
    """


def printable_line(text: str, limit: int = 2000) -> str:
    """``text`` as one printable line: whitespace runs become one space,
    other control and invisible characters (terminal escapes, bidi
    overrides) are shown escaped (``\\x1b``), at most ``limit``
    characters, so a message cannot redraw the terminal or hide text."""
    text = ' '.join(str(text)[:2 * limit].split())
    text = ''.join(ch if ch.isprintable() else
                   ascii(ch)[1:-1] for ch in text)
    return text if len(text) <= limit else text[:limit - 3] + '...'


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
